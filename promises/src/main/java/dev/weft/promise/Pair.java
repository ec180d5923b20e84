package dev.weft.promise;

/**
 * Two values, as {@link Promise#both} fulfils with them.
 *
 * @param first the first promise's value
 * @param second the second promise's value
 */
public record Pair<A, B>(A first, B second) {}
