/**
 * The event loop and its engine SPI. Every type here is confined to its loop's thread unless its
 * javadoc says otherwise.
 */
package dev.weft.loop;
