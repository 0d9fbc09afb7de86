package dev.anvil.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import dev.anvil.operator.testing.TestCluster;
import org.junit.jupiter.api.Test;

/**
 * The committed CRDs (crds/ and the chart's copy) are exactly what the CRD generator makes of
 * the api package. When this fails, regenerate: {@code mvn -pl operator -Pupdate-crds process-classes}.
 */
class CrdFilesTest {

    private static final String HOW_TO_FIX = "committed CRDs are stale: run mvn -pl operator -Pupdate-crds process-classes and commit crds/ and charts/anvil/files/crds/";

    @Test
    void committedCrdsMatchTheGeneratedOnes() throws IOException {
        Path generated = Path.of(System.getProperty("anvil.generated.crds", "target/crds"));
        List<String> names = files(generated);
        assertThat(names).containsExactlyInAnyOrder("projects.anvil.dev-v1.yml", "buckets.anvil.dev-v1.yml", "functions.anvil.dev-v1.yml");
        for (Path committedDir : List.of(TestCluster.repoRoot().resolve("crds"), TestCluster.repoRoot().resolve("charts/anvil/files/crds"))) {
            assertThat(files(committedDir)).as(HOW_TO_FIX + " (" + committedDir + ")").containsExactlyInAnyOrderElementsOf(names);
            for (String name : names) {
                assertThat(Files.readString(committedDir.resolve(name))).as(HOW_TO_FIX + " (" + committedDir.resolve(name) + ")")
                        .isEqualTo(Files.readString(generated.resolve(name)));
            }
        }
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".yml") || n.endsWith(".yaml")).sorted().toList();
        }
    }
}
