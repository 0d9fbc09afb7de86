package dev.anvil.server.realtime;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Which webhook URLs the server may call. A channel's webhook is configured by an admin but fired by
 * whoever publishes, so without this a publisher could make the server reach its own loopback
 * services, the cloud metadata endpoint (169.254.169.254) or the private network. Those targets are
 * refused unless {@code ANVIL_REALTIME_WEBHOOK_ALLOW_PRIVATE} is set. Every address the host
 * resolves to is checked, so a name pointing at a private address is refused too.
 */
final class WebhookTargets {

    private final boolean allowPrivate;

    WebhookTargets(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** Empty when the URL may be called, else why not. */
    Optional<String> refusal(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Optional.of("not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("only http and https webhooks are allowed");
        }
        if (uri.getHost() == null) {
            return Optional.of("the URL has no host");
        }
        if (allowPrivate) {
            return Optional.empty();
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost());
        } catch (UnknownHostException e) {
            return Optional.of("host " + uri.getHost() + " does not resolve");
        }
        for (InetAddress address : addresses) {
            if (isInternal(address)) {
                return Optional.of(uri.getHost() + " resolves to a loopback, link-local or private address ("
                        + address.getHostAddress() + ")");
            }
        }
        return Optional.empty();
    }

    static boolean isInternal(InetAddress address) {
        if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            // 100.64.0.0/10 carrier-grade NAT, 0.0.0.0/8, 192.0.0.0/24 IETF, 198.18.0.0/15 benchmarking
            return (first == 100 && second >= 64 && second < 128) || first == 0
                    || (first == 192 && second == 0 && (bytes[2] & 0xff) == 0) || (first == 198 && (second == 18 || second == 19));
        }
        if (address instanceof Inet6Address v6) {
            // fc00::/7 unique local; IPv4-mapped addresses are checked as the IPv4 address they carry.
            if ((bytes[0] & 0xfe) == 0xfc) {
                return true;
            }
            if (v6.isIPv4CompatibleAddress()) {
                try {
                    return isInternal(InetAddress.getByAddress(new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]}));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
        }
        return false;
    }
}
