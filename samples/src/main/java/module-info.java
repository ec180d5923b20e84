/** Runnable programs that show how to use Weft; they use the public API only. */
module dev.weft.samples {
    requires dev.weft.loop;
    requires dev.weft.unix;
    exports dev.weft.samples;
    exports dev.weft.samples.http;
}
