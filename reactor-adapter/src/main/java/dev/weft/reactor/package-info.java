/** Reactor adapter. Not implemented yet: this package holds only this description. */
package dev.weft.reactor;
