/** Runnable programs that show how to use Weft; they use the public API only. */
module dev.weft.samples {
    requires transitive dev.weft.loop;
    requires transitive dev.weft.unix;
    exports dev.weft.samples;
    exports dev.weft.samples.http;
}
