package dev.anvil.server.functions;

import java.net.URI;
import java.time.Duration;

/** Where the runtime host answers: a child process this server supervises, or a remote runtime. */
interface RuntimeEndpoint extends AutoCloseable {

    /**
     * The host's base URI, waiting up to {@code wait} for it to be up (a local host may be starting
     * or restarting).
     *
     * @throws RuntimeUnavailableException when it is not up in time
     */
    URI await(Duration wait);

    /** A host other than {@code stale} (which refused a connection); a remote runtime has only one. */
    default URI awaitOther(URI stale, Duration wait) {
        return await(wait);
    }

    /** True when the host has been started (a local host starts on first use). */
    boolean started();

    @Override
    void close();

    /** A runtime this server does not manage, e.g. the runtime pods of a Kubernetes Project. */
    record Remote(URI uri) implements RuntimeEndpoint {
        @Override
        public URI await(Duration wait) {
            return uri;
        }

        @Override
        public boolean started() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
