/**
 * Bridges between Weft and Project Reactor: {@link dev.weft.reactor.ReactorBridges} turns promises
 * into Monos and back, streams into Fluxes and back, and makes a loop a Reactor
 * {@link reactor.core.scheduler.Scheduler}. Every hop onto a promise or a stream lands on the
 * loop's thread, whatever thread Reactor signals on.
 */
package dev.weft.reactor;
