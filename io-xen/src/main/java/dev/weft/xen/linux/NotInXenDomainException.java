package dev.weft.xen.linux;

import java.nio.file.Path;

/**
 * A Linux Xen device ({@code /dev/xen/evtchn}, {@code gntalloc}, {@code gntdev}, {@code xenbus})
 * is not there: this Linux is not running in a Xen domain, or the kernel module behind the
 * device is not loaded. The cause, when there is one, is the failed {@code open} as an {@link
 * dev.weft.unix.ErrnoException} (ENOENT, ENODEV or ENXIO).
 *
 * <p>Immutable; safe to pass between threads.
 */
public final class NotInXenDomainException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The device that was missing. */
    private final transient Path device;

    /**
     * Creates the exception for {@code device}.
     *
     * @param device the device file that could not be opened
     * @param cause the failed open, or {@code null}
     */
    public NotInXenDomainException(Path device, Throwable cause) {
        super("not running in a Xen domain: " + device + " is missing or has no driver behind it"
                + " (Linux's xen-evtchn, xen-gntalloc, xen-gntdev modules load in a Xen domain only)", cause);
        this.device = device;
    }

    /** The device file that could not be opened. */
    public Path device() {
        return device;
    }
}
