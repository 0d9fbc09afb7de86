package dev.anvil.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anvil.server.http.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Key and bucket-name rules, as they arrive in a URL path (still percent-encoded). */
class StorageObjectKeyTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "photo.png|photo.png",
            "a%2Fb%2Fc.txt|a/b/c.txt",
            "a/b/c.txt|a/b/c.txt",
            "caf%C3%A9%20menu.pdf|caf\u00e9 menu.pdf",
            "100%25.txt|100%.txt",
            "a+b.txt|a+b.txt",
            "file..|FAIL",
            "..|FAIL",
            "%2E%2E|FAIL",
            "%2e%2e%2fetc%2fpasswd|FAIL",
            "..%2Fetc|FAIL",
            "a/../b|FAIL",
            "%252e%252e%252fetc|FAIL",
            "%2Fetc%2Fpasswd|FAIL",
            "%5C..%5Cwin.ini|FAIL",
            "a%00b|FAIL",
            "a%0Ab|FAIL",
            "a%7Fb|FAIL",
            "a//b|FAIL",
            "a/./b|FAIL",
            "folder/|FAIL",
            "%|FAIL",
            "%zz|FAIL",
            "%C3%28|FAIL",
    })
    void keysFromThePath(String raw, String expected) {
        if (expected.equals("FAIL")) {
            assertThatThrownBy(() -> ObjectKey.fromRawPath(raw))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.code()).isEqualTo("STORAGE_INVALID_PARAMETER");
                    });
        } else {
            assertThat(ObjectKey.fromRawPath(raw).value()).isEqualTo(expected);
        }
    }

    @Test
    void lengthLimits() {
        assertThat(new ObjectKey("a".repeat(255)).value()).hasSize(255);
        assertThatThrownBy(() -> new ObjectKey("a".repeat(256))).hasMessageContaining("segment");
        String deep = ("d".repeat(200) + "/").repeat(5) + "f";
        assertThat(new ObjectKey(deep).value()).hasSize(1006);
        assertThatThrownBy(() -> new ObjectKey(("d".repeat(200) + "/").repeat(6) + "f")).hasMessageContaining("1024");
        assertThatThrownBy(() -> new ObjectKey("")).hasMessageContaining("required");
    }

    @Test
    void encodedLikeTheSdk() {
        assertThat(new ObjectKey("a/b c/\u00e9(1)!.png").urlEncoded()).isEqualTo("a%2Fb%20c%2F%C3%A9(1)!.png");
    }

    @Test
    void generatedKeysFollowInsForgesShape() {
        assertThat(ObjectKey.generated("My Holiday Photo (final).JPG", 1_700_000_000_000L).value())
                .matches("My-Holiday-Photo--final-" + "-1700000000000-[0-9a-z]{6}\\.JPG");
        assertThat(ObjectKey.generated("../../etc/passwd", 1L).value()).matches("passwd-1-[0-9a-z]{6}");
        assertThat(ObjectKey.generated(".bashrc", 1L).value()).matches("-bashrc-1-[0-9a-z]{6}");
        assertThat(ObjectKey.generated("", 1L).value()).matches("file-1-[0-9a-z]{6}");
        assertThat(ObjectKey.generated("x".repeat(50) + ".tar.gz", 1L).value()).matches("x{32}-1-[0-9a-z]{6}\\.gz");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "a/b", "a.b", "..", "%2e", "\u00e9", ".staging"})
    void badBucketNames(String name) {
        assertThatThrownBy(() -> new BucketName(name)).isInstanceOf(ApiException.class).hasMessageContaining("Invalid bucket name");
    }
}
