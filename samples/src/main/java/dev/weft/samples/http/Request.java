package dev.weft.samples.http;

/**
 * One request: its head and its whole body (bodies are buffered, up to the server's limit).
 *
 * @param head the request line and header fields
 * @param body the decoded body, empty when there is none
 */
public record Request(RequestHead head, byte[] body) {}
