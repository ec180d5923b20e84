/** The Xen backend. Not implemented yet: this package holds only this description. */
package dev.weft.xen;
