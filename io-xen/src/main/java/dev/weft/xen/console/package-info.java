/**
 * The PV console: {@link dev.weft.xen.console.XenConsole}, the guest's end of the console ring
 * page as a {@link dev.weft.loop.device.Console}, and a software backend for the model.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>: a console belongs to the loop of its event channels.
 */
package dev.weft.xen.console;
