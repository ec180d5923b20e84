package dev.weft.promise;

import java.util.List;

/**
 * What {@link Promise#nchooseSplit} fulfils with.
 *
 * @param fulfilled the values of the inputs fulfilled at that moment, in input order
 * @param pending the inputs still pending, in input order
 */
public record Split<T>(List<T> fulfilled, List<Promise<T>> pending) {}
