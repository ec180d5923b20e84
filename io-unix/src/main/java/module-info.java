/** The Unix backend: epoll through java.lang.foreign, sockets as promise flows. */
module dev.weft.unix {
    requires transitive dev.weft.loop;
    exports dev.weft.unix;
}
