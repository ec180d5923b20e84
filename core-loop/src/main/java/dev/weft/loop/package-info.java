/**
 * The event loop and its engine SPI. Every type here is confined to its loop's thread unless its
 * javadoc says otherwise; the few that are not ({@link dev.weft.loop.Loop#execute}, {@link
 * dev.weft.loop.Loop#submit}, {@link dev.weft.loop.LoopMetrics}, {@link
 * dev.weft.loop.Engine#wakeup()}) say so in capitals.
 *
 * <p>Memory-ordering conventions, as in JCTools: every field shared between threads is accessed
 * through a {@link java.lang.invoke.VarHandle} (or is {@code volatile}) with the weakest order
 * that is correct, and the comment beside the field says which order and why. Plain: one thread
 * only. Opaque: a single writer publishing a counter or a stamp that readers need eventually and
 * whole, with no other data behind it. Release/acquire: a store that publishes what was written
 * before it. Volatile: the two sides of a Dekker pair (store one flag, then load the other), where
 * only a total order prevents a lost wakeup. CAS: electing one thread among racers.
 */
package dev.weft.loop;
