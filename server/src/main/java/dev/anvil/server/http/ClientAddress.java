package dev.anvil.server.http;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;

/**
 * The client's IP address, as rate limits and audit records see it. {@code X-Forwarded-For} is
 * believed only as far as the operator says proxies sit in front ({@code ANVIL_TRUSTED_PROXY_HOPS}):
 * with no trusted proxy any client could write the header and pick a fresh "address" per request,
 * which would make every per-IP limit useless.
 */
public final class ClientAddress {

    private static final HeaderName X_FORWARDED_FOR = HeaderNames.create("X-Forwarded-For");
    private static final ClientAddress DIRECT = new ClientAddress(0);

    private final int trustedProxyHops;

    public ClientAddress(int trustedProxyHops) {
        if (trustedProxyHops < 0) {
            throw new IllegalArgumentException("trusted proxy hops must be >= 0");
        }
        this.trustedProxyHops = trustedProxyHops;
    }

    /** The client address of a request (connection address when no filter configured proxies). */
    public static String of(ServerRequest req) {
        return req.context().get(ClientAddress.class, ClientAddress.class).orElse(DIRECT).resolve(req);
    }

    /** Makes this policy the one {@link #of} applies to every request. */
    public Filter filter() {
        return new Filter() {
            @Override
            public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
                req.context().register(ClientAddress.class, ClientAddress.this);
                chain.proceed();
            }
        };
    }

    String resolve(ServerRequest req) {
        String peer = peerAddress(req.remotePeer().address());
        if (trustedProxyHops == 0) {
            return peer;
        }
        // The chain as the last proxy saw it: every X-Forwarded-For entry, then the proxy's own peer.
        List<String> chain = new ArrayList<>();
        req.headers().all(X_FORWARDED_FOR, List::of).forEach(header -> {
            for (String part : header.split(",")) {
                String address = part.trim();
                if (!address.isEmpty()) {
                    chain.add(address);
                }
            }
        });
        chain.add(peer);
        int index = chain.size() - 1 - trustedProxyHops;
        return chain.get(Math.max(0, index));
    }

    private static String peerAddress(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String host = inet.getAddress().getHostAddress();
            int zone = host.indexOf('%');
            return zone < 0 ? host : host.substring(0, zone);
        }
        return String.valueOf(address);
    }
}
