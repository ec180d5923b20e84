/** Event channels: the device SPI, the Xen engine and the loop-level API (activations). */
package dev.weft.xen.evtchn;
