package dev.anvil.server.http;

import java.util.List;

import dev.anvil.server.config.Setting;

/** Settings of the HTTP layer every domain shares. */
public final class HttpSettings {

    public static final Setting TRUSTED_PROXY_HOPS = Setting.of("ANVIL_TRUSTED_PROXY_HOPS", "0",
            "Reverse proxies in front of the server that append to X-Forwarded-For. 0 = ignore the header and use the "
                    + "connection's address (the client could forge it); n = the client is the n-th address from the right");

    public static final List<Setting> ALL = List.of(TRUSTED_PROXY_HOPS);

    private HttpSettings() {
    }
}
