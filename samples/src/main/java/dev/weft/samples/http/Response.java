package dev.weft.samples.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A response to send: a status, a content type, extra header fields, and either a body sent with
 * Content-Length, or chunks sent with the chunked transfer coding (when {@code chunks} is not
 * null). The server adds Content-Length or Transfer-Encoding, Date and Connection itself.
 *
 * @param status the HTTP status code
 * @param contentType the Content-Type value: visible ASCII, spaces and tabs only (checked, like field values)
 * @param body the body for a Content-Length response; ignored when chunked
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

    /** A response with no extra fields. */
    public Response(int status, String contentType, byte[] body, List<byte[]> chunks) {
        this(status, contentType, body, chunks, List.of());
    }

    /**
     * Copies the field list and the chunks, so the response stays a value, checks the content
     * type as a field value is checked (see {@link Field}), and refuses a null body or chunk.
     */
    public Response {
        refuseControls(contentType, "content type");
        // checked here, where the handler makes it (and gets a 500), not when the server encodes it
        Objects.requireNonNull(body, "body (a chunked response has an empty one)");
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
