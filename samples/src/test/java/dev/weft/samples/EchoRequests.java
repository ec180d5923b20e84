package dev.weft.samples;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Raw HTTP/1.1 requests the reliability tests send to the sample server's {@code /echo}. */
final class EchoRequests {
    private EchoRequests() {}

    /** {@code POST /echo} with {@code body}, head and body in one array. */
    static byte[] post(byte[] body) {
        byte[] head = ("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] request = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        return request;
    }
}
