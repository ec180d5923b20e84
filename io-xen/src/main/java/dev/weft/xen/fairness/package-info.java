/**
 * Fairness between the flows over shared rings and the rest of a loop's work: {@link
 * dev.weft.xen.fairness.ReadTurns}, the bound on reads answered per loop turn that the console and
 * vchan flows ({@code dev.weft.xen.ring.PipeFlow}) and the xenstore ring flow ({@code
 * dev.weft.xen.store.RingFlow}) share. Not exported: nothing here is io-xen's API.
 */
package dev.weft.xen.fairness;
