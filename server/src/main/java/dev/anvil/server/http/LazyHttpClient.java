package dev.anvil.server.http;

import java.net.http.HttpClient;
import java.util.function.Supplier;

/**
 * An outbound {@link HttpClient} built on first use. A JVM's first HttpClient costs about 150 ms of
 * CPU (its TLS context and trust store); the OAuth providers and realtime webhooks each keep one and
 * need it only on their first call, so the server's start does not pay for it.
 */
public final class LazyHttpClient {

    private final Supplier<HttpClient> factory;
    private volatile HttpClient client;

    public LazyHttpClient(Supplier<HttpClient> factory) {
        this.factory = factory;
    }

    public HttpClient get() {
        HttpClient built = client;
        if (built == null) {
            synchronized (this) {
                built = client;
                if (built == null) {
                    built = factory.get();
                    client = built;
                }
            }
        }
        return built;
    }
}
