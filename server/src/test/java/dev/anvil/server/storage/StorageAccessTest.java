package dev.anvil.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.SharedPostgres;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who may touch which object (contract §4 access model), on both providers. With InsForge's
 * fresh-install defaults every signed-in user may use every object and anon may only download from
 * public buckets. With the README's per-user-folder policy, RLS on {@code storage.objects} confines
 * each user to {@code <their id>/…}: other users' objects are invisible (404), and writing into
 * another user's folder is refused before any byte is stored.
 */
class StorageAccessTest extends StorageBehaviour {

    /** The README's example policy, verbatim. */
    static final String FOLDER_POLICY = """
            ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
            CREATE POLICY own_folder ON storage.objects FOR ALL TO authenticated
                USING ((storage.foldername(key))[1] = auth.uid()::text)
                WITH CHECK ((storage.foldername(key))[1] = auth.uid()::text);
            """;

    static byte[] text(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    static List<String> listedKeys(StorageFixture f, String bucket, String credential) {
        HttpCall.Reply reply = f.call("GET", "/api/storage/buckets/" + bucket + "/objects").bearer(credential).send();
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return StreamSupport.stream(reply.json().get("data").spliterator(), false).map(i -> i.get("key").asText()).toList();
    }

    static HttpCall.Reply delete(StorageFixture f, String bucket, String rawKey, String credential) {
        return f.call("DELETE", "/api/storage/buckets/" + bucket + "/objects/" + rawKey).bearer(credential).send();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void byDefaultEverySignedInUserSharesEveryObject(StorageFixture f) {
        String bucket = f.newBucket(false);
        String alice = f.userToken(f.newUser());
        String bob = f.userToken(f.newUser());
        assertThat(f.put(bucket, "alice.txt", text("from alice"), alice).status()).isEqualTo(200);

        assertThat(f.get(bucket, "alice.txt", bob).text()).isEqualTo("from alice");
        assertThat(listedKeys(f, bucket, bob)).containsExactly("alice.txt");
        assertThat(f.put(bucket, "alice.txt", text("bob was here"), bob).status()).isEqualTo(200);
        assertThat(delete(f, bucket, "alice.txt", bob).status()).isEqualTo(200);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void anonMayOnlyDownloadFromPublicBuckets(StorageFixture f) {
        String anon = f.server().anonKey();
        String open = f.newBucket(true);
        String closed = f.newBucket(false);
        f.put(open, "o.txt", text("open"), f.apiKey());
        f.put(closed, "c.txt", text("closed"), f.apiKey());

        assertThat(f.get(open, "o.txt", anon).text()).isEqualTo("open");
        assertThat(f.get(closed, "c.txt", anon).status()).isEqualTo(403);
        assertThat(f.put(open, "new.txt", text("x"), anon).status()).isEqualTo(403);
        assertThat(f.call("GET", "/api/storage/buckets/" + open + "/objects").bearer(anon).send().status()).isEqualTo(403);
        assertThat(delete(f, open, "o.txt", anon).status()).isEqualTo(403);
        assertThat(f.storedKeys(open)).containsExactly("o.txt");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void theFolderPolicyConfinesEachUserToTheirFolder(StorageFixture f) {
        String bucket = f.newBucket(false);
        String aliceId = f.newUser();
        String bobId = f.newUser();
        String alice = f.userToken(aliceId);
        String bob = f.userToken(bobId);
        SharedPostgres.execute(f.database(), FOLDER_POLICY);
        try {
            String aliceKey = aliceId + "%2Fphoto.png";
            assertThat(f.put(bucket, aliceKey, text("alice's"), alice).status()).isEqualTo(200);
            assertThat(f.put(bucket, bobId + "%2Fphoto.png", text("bob's"), bob).status()).isEqualTo(200);

            // Bob cannot see Alice's object in any way.
            assertThat(listedKeys(f, bucket, bob)).containsExactly(bobId + "/photo.png");
            assertThat(f.get(bucket, aliceKey, bob).status()).isEqualTo(404);
            assertThat(f.call("GET", "/api/storage/buckets/" + bucket + "/download-strategy/objects/" + aliceKey).bearer(bob).send().status())
                    .isEqualTo(404);
            assertThat(delete(f, bucket, aliceKey, bob).status()).isEqualTo(404);
            HttpCall.Reply batch = f.call("DELETE", "/api/storage/buckets/" + bucket + "/objects").bearer(bob)
                    .json(Map.of("keys", List.of(aliceId + "/photo.png"))).send();
            assertThat(batch.json().get("results").get(0).get("status").asText()).isEqualTo("notFound");

            // Nor write into her folder: refused before the body is read, nothing stored, her object intact.
            HttpCall.Reply overwrite = f.put(bucket, aliceKey, text("bob overwrote this"), bob);
            assertThat(overwrite.status()).isEqualTo(403);
            assertThat(overwrite.json().get("error").asText()).isEqualTo("STORAGE_PERMISSION_DENIED");
            assertThat(f.put(bucket, aliceId + "%2Fplanted.txt", text("planted"), bob).status()).isEqualTo(403);
            assertThat(f.put(bucket, "top-level.txt", text("no folder"), bob).status()).isEqualTo(403);
            assertThat(f.call("POST", "/api/storage/buckets/" + bucket + "/upload-strategy").bearer(bob)
                    .json(Map.of("filename", aliceId + "/x.txt")).send().status()).isEqualTo(403);
            assertThat(f.get(bucket, aliceKey, alice).text()).isEqualTo("alice's");
            assertThat(f.storedKeys(bucket)).containsExactlyInAnyOrder(aliceId + "/photo.png", bobId + "/photo.png");
            assertThat(f.stagingLeftovers()).isEmpty();

            // Alice manages her own; the admin key sees and manages everything.
            assertThat(listedKeys(f, bucket, alice)).containsExactly(aliceId + "/photo.png");
            assertThat(listedKeys(f, bucket, f.apiKey())).hasSize(2);
            assertThat(f.get(bucket, bobId + "%2Fphoto.png", f.server().adminToken()).text()).isEqualTo("bob's");
            assertThat(delete(f, bucket, aliceKey, alice).status()).isEqualTo(200);
            assertThat(delete(f, bucket, bobId + "%2Fphoto.png", f.apiKey()).status()).isEqualTo(200);
            assertThat(f.storedKeys(bucket)).isEmpty();
        } finally {
            SharedPostgres.execute(f.database(), "DROP POLICY own_folder ON storage.objects",
                    "ALTER TABLE storage.objects DISABLE ROW LEVEL SECURITY");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void aSignedUrlGrantsWhatItsMinterCouldRead(StorageFixture f) {
        String bucket = f.newBucket(false);
        String aliceId = f.newUser();
        String alice = f.userToken(aliceId);
        String bob = f.userToken(f.newUser());
        SharedPostgres.execute(f.database(), FOLDER_POLICY);
        try {
            String key = aliceId + "%2Fshare.txt";
            f.put(bucket, key, text("shared by alice"), alice);
            String path = "/api/storage/buckets/" + bucket + "/download-strategy/objects/" + key;
            assertThat(f.call("GET", path).bearer(bob).send().status()).as("bob cannot mint").isEqualTo(404);
            String url = f.call("GET", path).bearer(alice).send().json().get("url").asText();
            // Alice hands the URL to someone without any credential.
            assertThat(StorageDownloadTest.fetch(url).text()).isEqualTo("shared by alice");
        } finally {
            SharedPostgres.execute(f.database(), "DROP POLICY own_folder ON storage.objects",
                    "ALTER TABLE storage.objects DISABLE ROW LEVEL SECURITY");
        }
    }
}
