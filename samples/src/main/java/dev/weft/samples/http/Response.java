package dev.weft.samples.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A response to send: a status, a content type, extra header fields, and either a body sent with
 * Content-Length, or chunks sent with the chunked transfer coding (when {@code chunks} is not
 * null). The server adds Content-Length or Transfer-Encoding, Date and Connection itself.
 *
 * @param status the HTTP status code of a final response, 200 to 599 (checked: an interim 1xx
 *     response is the server's own business, and any other number would make a malformed status
 *     line); 204, 205 and 304 take no content (an empty body, not chunked)
 * @param contentType the Content-Type value: visible ASCII, spaces and tabs only (checked, like field values)
 * @param body the body for a Content-Length response; ignored when chunked. Copied when the
 *     response is made, and {@link #body()} returns a copy, so that a response is a value: the
 *     server may send the bytes of a response it encoded before (see {@link
 *     Responses#encodeCached}), and a caller that refills the array it made a response from
 *     must not change what that response sends
 * @param chunks the chunks of a chunked response, or null
 * @param fields extra header fields, in order (say, {@code Allow} on a 405); copied, not null
 */
public record Response(int status, String contentType, byte[] body, List<byte[]> chunks, List<Field> fields) {

    /**
     * One extra header field. Names are tokens and values hold no line ends or other controls, so
     * a value taken from a request can never split the response.
     *
     * @param name the field name, e.g. {@code Allow}
     * @param value the field value
     */
    public record Field(String name, String value) {
        /** Checks the name and the value. */
        public Field {
            if (name.isEmpty() || !name.chars().allMatch(c -> c < 128 && RequestHeadParser.isTokenChar((byte) c))) {
                throw new IllegalArgumentException("field name is not a token: " + name);
            }
            refuseControls(value, "field value");
        }
    }

    /**
     * Refuses a value for the head that holds a line end or another control (a tab is allowed),
     * or a byte that is not ASCII: taken from a request, it could otherwise split the response.
     */
    private static void refuseControls(String value, String what) {
        if (!value.chars().allMatch(c -> c == '\t' || c >= ' ' && c < 0x7f)) {
            throw new IllegalArgumentException(what + " holds a control character or a non-ASCII one");
        }
    }

    /**
     * Refuses a status a handler cannot answer with: not three digits of a final class (a status
     * line {@code HTTP/1.1 1000 ...} or {@code HTTP/1.1 -1 ...} is malformed), or an interim 1xx,
     * which a client would take as a promise of the real response to come.
     */
    private static void refuseInvalidStatus(int status) {
        if (status >= 100 && status <= 199) {
            throw new IllegalArgumentException("status " + status + " is interim (1xx): a handler's response is the"
                    + " final one, 200 to 599 (the server sends 100 Continue itself)");
        }
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("status " + status + " is not a final HTTP status: 200 to 599");
        }
    }

    /** Whether a response with {@code status} has no content: 204, 205 and 304 (RFC 9110 section 15). */
    private static boolean hasNoContent(int status) {
        return status == 204 || status == 205 || status == 304;
    }

    /** A copy of the body: the response's own bytes never change (see the {@code body} component). */
    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The body itself, for the encoder, without a copy; never modified. */
    byte[] bodyBytes() {
        return body;
    }

    /** A response with no extra fields. */
    public Response(int status, String contentType, byte[] body, List<byte[]> chunks) {
        this(status, contentType, body, chunks, List.of());
    }

    /**
     * Copies the body, the field list and the chunk list, so the response stays a value (the
     * chunks' own arrays are not copied: a chunked response is encoded anew for every request,
     * never cached); checks the status, and the content type as a field value is checked (see
     * {@link Field}); refuses a null body or chunk, and content for a status that has none.
     *
     * @throws IllegalArgumentException naming the status if it is not 200 to 599, or if it is
     *     204, 205 or 304 and the response has a body or chunks; and for a content type that holds
     *     a control character
     */
    public Response {
        // checked here, where the handler makes it (and gets a 500), not when the server encodes it
        refuseInvalidStatus(status);
        refuseControls(contentType, "content type");
        Objects.requireNonNull(body, "body (a chunked response has an empty one)");
        body = body.clone();
        if (hasNoContent(status) && (body.length > 0 || chunks != null)) {
            throw new IllegalArgumentException("status " + status + " has no content, but the response has "
                    + (chunks != null ? "chunks" : "a body of " + body.length + " bytes")
                    + ": a client would read them as the next response");
        }
        if (chunks != null) {
            chunks = List.copyOf(chunks); // refuses a null chunk
        }
        fields = List.copyOf(fields);
    }

    /** A response with a text body in UTF-8. */
    public static Response text(int status, String contentType, String body) {
        return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8), null);
    }

    /** A response sent with the chunked transfer coding, one chunk per element. */
    public static Response chunked(int status, String contentType, List<byte[]> chunks) {
        return new Response(status, contentType, new byte[0], List.copyOf(chunks));
    }

    /** This response with one more header field. */
    public Response withField(String name, String value) {
        Field[] more = fields.toArray(new Field[fields.size() + 1]);
        more[fields.size()] = new Field(name, value);
        return new Response(status, contentType, body, chunks, List.of(more));
    }

    /** Whether this response is sent chunked. */
    public boolean isChunked() {
        return chunks != null;
    }
}
