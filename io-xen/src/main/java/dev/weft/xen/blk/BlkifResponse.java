package dev.weft.xen.blk;

/**
 * One blkif response minus its id (Xen's {@code struct blkif_response}). Immutable.
 *
 * @param operation the request's operation, echoed
 * @param status {@link BlkifCodec#STATUS_OKAY}, {@link BlkifCodec#STATUS_ERROR} or {@link
 *     BlkifCodec#STATUS_EOPNOTSUPP}
 */
public record BlkifResponse(int operation, int status) {}
