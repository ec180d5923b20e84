/** Samples: programs users copy from. */
package dev.weft.samples;
