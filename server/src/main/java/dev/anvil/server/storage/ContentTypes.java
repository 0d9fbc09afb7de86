package dev.anvil.server.storage;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

import org.apache.tika.Tika;

/**
 * What an object's bytes are, decided by the server and never by the client: Tika reads the magic
 * bytes of the first {@value #SNIFF_BYTES} bytes (the key's extension breaks ties, e.g. text/csv vs
 * text/plain). Types a browser would execute or render as a document — HTML, SVG, XML, JavaScript —
 * are stored and served as {@code application/octet-stream} with {@code Content-Disposition:
 * attachment}, so an uploaded file can never run script on this server's origin (stored XSS).
 */
final class ContentTypes {

    static final String OCTET_STREAM = "application/octet-stream";
    static final int SNIFF_BYTES = 64 * 1024;

    private static final Set<String> ACTIVE = Set.of("text/html", "application/xhtml+xml", "image/svg+xml",
            "text/xml", "application/xml", "text/javascript", "application/javascript", "application/x-javascript",
            "application/ecmascript", "text/ecmascript", "text/x-javascript", "application/x-httpd-php",
            "text/x-php", "application/x-sh", "text/xsl", "application/xslt+xml", "application/vnd.wap.xhtml+xml",
            "text/vnd.wap.wml", "application/x-shockwave-flash", "text/x-server-parsed-html", "message/rfc822");

    private ContentTypes() {
    }

    /** The type to store for these first bytes of an object called {@code fileName}. */
    static String detect(byte[] head, int length, String fileName) {
        byte[] prefix = length == head.length ? head : Arrays.copyOf(head, length);
        String detected = TikaHolder.TIKA.detect(prefix, fileName);
        return safe(detected);
    }

    /** The type itself when a browser may render it inline, otherwise {@code application/octet-stream}. */
    static String safe(String mimeType) {
        if (mimeType == null || mimeType.isBlank()) {
            return OCTET_STREAM;
        }
        String bare = mimeType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (ACTIVE.contains(bare) || bare.endsWith("+xml") || bare.contains("javascript") || bare.contains("ecmascript")) {
            return OCTET_STREAM;
        }
        return bare;
    }

    /** True when the stored type must be downloaded rather than displayed. */
    static boolean needsAttachment(String mimeType) {
        return OCTET_STREAM.equals(safe(mimeType));
    }

    /** Tika loads its type database on first use; a holder keeps that off the server's start path. */
    private static final class TikaHolder {
        static final Tika TIKA = new Tika();
    }
}
