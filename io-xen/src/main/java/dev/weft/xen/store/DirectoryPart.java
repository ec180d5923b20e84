package dev.weft.xen.store;

import java.util.List;

/**
 * One reply to {@code XS_DIRECTORY_PART}: part of a node's children list. Immutable.
 *
 * @param generation the node's generation count: equal across parts means the list did not
 *     change between them
 * @param children the child names in this part
 * @param complete whether this part reaches the end of the list
 */
public record DirectoryPart(long generation, List<String> children, boolean complete) {
    /** Copies {@code children}. */
    public DirectoryPart {
        children = List.copyOf(children);
    }
}
