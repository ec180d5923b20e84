/** The Xen backend: event channels, grant tables, shared rings, xenstore and the PV devices. */
module dev.weft.xen {
    requires transitive dev.weft.loop;
    requires dev.weft.unix;
    // exports dev.weft.xen once it holds types (its issue has not landed yet)
}
