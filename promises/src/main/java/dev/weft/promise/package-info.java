/**
 * Lwt-style promises. Every type here is confined to the thread that created it (its loop's
 * thread) unless its javadoc says otherwise.
 */
package dev.weft.promise;
