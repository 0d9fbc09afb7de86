package dev.anvil.server.records.parse;

import dev.anvil.server.records.schema.QualifiedName;

/**
 * A records or RPC request, fully parsed but not yet checked against the schema cache beyond its
 * schema: what to do, on what, with which query, preferences, format, range and body.
 *
 * @param target            the relation or function, in the negotiated schema
 * @param profileNegotiated the client named the schema (so the response carries Content-Profile)
 * @param offset            the root offset after {@code offset=} and the {@code Range} header
 * @param limit             the root limit after {@code limit=} and the {@code Range} header, or null
 * @param payload           the body (writes and RPC by POST), or null
 */
public record ApiRequest(Action action, QualifiedName target, QueryParts query, Preferences preferences,
                         MediaType.Choice media, boolean profileNegotiated, long offset, Long limit, Payload payload) {

    /** What the request does. */
    public enum Action {
        READ(true), HEAD(true), CREATE(false), UPDATE(false), PUT(false), DELETE(false),
        CALL_POST(false), CALL_GET(true), CALL_HEAD(true);

        private final boolean readOnly;

        Action(boolean readOnly) {
            this.readOnly = readOnly;
        }

        /** GET and HEAD run in a read-only transaction. */
        public boolean readOnly() {
            return readOnly;
        }

        public boolean isCall() {
            return this == CALL_POST || this == CALL_GET || this == CALL_HEAD;
        }

        public boolean headersOnly() {
            return this == HEAD || this == CALL_HEAD;
        }
    }
}
