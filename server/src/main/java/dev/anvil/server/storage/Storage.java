package dev.anvil.server.storage;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.anvil.server.auth.Credentials;
import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.db.RoleTransaction;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;

/**
 * The storage domain assembled from settings: the provider ({@code local} or {@code s3}, chosen as
 * InsForge does — S3 when {@code AWS_S3_BUCKET} is set), the signed-URL key, the upload limit, and
 * the two HTTP services mounted at {@code /api/storage}.
 */
public final class Storage implements AutoCloseable {

    /** Uploads above InsForge's 200 MB ceiling need ANVIL_STORAGE_MAX_UPLOAD_MB; the size column is a 32-bit integer. */
    private static final long MAX_FIXED_UPLOAD_MB = 2047;
    private static final long DEFAULT_CEILING_MB = 200;

    private final ObjectStore store;
    private final OptionalLong fixedLimit;
    private final HttpService[] services;

    private Storage(ObjectStore store, DataSource dataSource, SignedUrls signedUrls, OptionalLong fixedLimit, Clock clock,
                    Credentials credentials, Supplier<String> baseUrl) {
        this.store = store;
        this.fixedLimit = fixedLimit;
        BucketStore buckets = new BucketStore(dataSource);
        RoleTransaction transactions = new RoleTransaction(dataSource);
        Uploads uploads = new Uploads(store, transactions, fixedLimit, clock);
        Downloads downloads = new Downloads(store, dataSource, transactions, signedUrls, credentials, clock);
        this.services = new HttpService[] {
                new BucketService(credentials, buckets, store),
                new ObjectService(credentials, buckets, store, transactions, uploads, downloads, baseUrl)
        };
    }

    /**
     * Opens the configured provider and sweeps what killed uploads left in it.
     *
     * @param jwtSecret what signed URLs derive their key from, unless ANVIL_STORAGE_SIGNING_KEY is set (the
     *                  server builds this while the instance's keys load)
     * @param baseUrl the public URL links are built from (known once the server listens)
     */
    public static Storage start(AnvilConfig config, Path dataDir, DataSource dataSource, CompletableFuture<String> jwtSecret,
                                Credentials credentials, Supplier<String> baseUrl) {
        ObjectStore store = openStore(config, dataDir);
        if (store instanceof LocalObjectStore) {
            store.sweep();
        } else {
            // Listing a remote bucket must not delay startup.
            Thread.ofVirtual().name("storage-sweep").start(store::sweep);
        }
        Clock clock = Clock.systemUTC();
        return new Storage(store, dataSource, SignedUrls.create(config.find(StorageSettings.SIGNING_KEY), jwtSecret, clock),
                fixedLimit(config), clock, credentials, baseUrl);
    }

    private static ObjectStore openStore(AnvilConfig config, Path dataDir) {
        Optional<String> s3Bucket = config.find(StorageSettings.AWS_S3_BUCKET);
        String provider = config.find(StorageSettings.PROVIDER).orElse(s3Bucket.isPresent() ? "s3" : "local")
                .toLowerCase(Locale.ROOT);
        switch (provider) {
            case "local" -> {
                Path root = config.find(StorageSettings.STORAGE_DIR).map(Path::of).orElse(dataDir.resolve("storage"));
                return new LocalObjectStore(root);
            }
            case "s3" -> {
                Optional<String> endpoint = config.find(StorageSettings.S3_ENDPOINT_URL);
                boolean pathStyle = config.find(StorageSettings.S3_PATH_STYLE).isPresent()
                        ? config.getBoolean(StorageSettings.S3_PATH_STYLE) : endpoint.isPresent();
                return S3ObjectStore.connect(new S3ObjectStore.Connection(
                        s3Bucket.orElseThrow(() -> new AnvilConfig.ConfigException(StorageSettings.AWS_S3_BUCKET,
                                "is required when ANVIL_STORAGE_PROVIDER is s3")),
                        config.get(StorageSettings.APP_KEY), config.get(StorageSettings.AWS_REGION),
                        config.find(StorageSettings.AWS_ACCESS_KEY_ID), config.find(StorageSettings.AWS_SECRET_ACCESS_KEY),
                        endpoint, pathStyle, config.getBoolean(StorageSettings.S3_PRESIGNED)));
            }
            default -> throw new AnvilConfig.ConfigException(StorageSettings.PROVIDER, "must be local or s3, got '" + provider + "'");
        }
    }

    private static OptionalLong fixedLimit(AnvilConfig config) {
        if (config.find(StorageSettings.MAX_UPLOAD_MB).isEmpty()) {
            return OptionalLong.empty();
        }
        long mb = config.getLong(StorageSettings.MAX_UPLOAD_MB);
        if (mb < 1 || mb > MAX_FIXED_UPLOAD_MB) {
            throw new AnvilConfig.ConfigException(StorageSettings.MAX_UPLOAD_MB, "must be between 1 and " + MAX_FIXED_UPLOAD_MB);
        }
        return OptionalLong.of(mb * 1024 * 1024);
    }

    /** The largest request body an upload can need; the HTTP listener must accept at least this. */
    public long maxRequestBytes() {
        return fixedLimit.orElse(DEFAULT_CEILING_MB * 1024 * 1024) + Uploads.MULTIPART_OVERHEAD;
    }

    /** Mounts the bucket and object services at {@code /api/storage}. */
    public void register(HttpRouting.Builder routing) {
        routing.register("/api/storage", services);
    }

    /** "local" or "s3". */
    public String provider() {
        return store.name();
    }

    @Override
    public void close() {
        store.close();
    }
}
