package dev.anvil.operator.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anvil.operator.OperatorSettings;
import dev.anvil.operator.testing.TestCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The runtime image's Dockerfile against what the operator runs in it. Docker cannot run here, so
 * this reads the file: the entrypoint and default arguments are the Deno Deployment's command and
 * arguments, the runtime directory the command names is where the image puts the host, and what
 * it copies from the repository exists.
 */
class DenoRuntimeImageTest {

    private static final Path REPO = TestCluster.repoRoot();
    private static final Path DOCKERFILE = REPO.resolve("server/deno-runtime.Dockerfile");
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Instruction(String keyword, String arguments) {
    }

    private static List<Instruction> instructions;

    @BeforeAll
    static void read() throws IOException {
        instructions = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String line : Files.readAllLines(DOCKERFILE)) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#") || trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            String whole = pending.append(trimmed).toString();
            pending.setLength(0);
            int space = whole.indexOf(' ');
            instructions.add(new Instruction(whole.substring(0, space).toUpperCase(), whole.substring(space + 1).trim()));
        }
    }

    @Test
    void theImageRunsWhatTheDenoDeploymentRuns() throws IOException {
        assertThat(json(single("ENTRYPOINT"))).isEqualTo(DenoDeployment.command());
        assertThat(json(single("CMD"))).isEqualTo(DenoDeployment.args());
        assertThat(single("EXPOSE")).isEqualTo(Integer.toString(ProjectNames.DENO_PORT));
        assertThat(Files.readString(DOCKERFILE)).as("the build command names the operator's default image")
                .contains("-t " + OperatorSettings.DEFAULT_DENO_IMAGE + " .");
    }

    @Test
    void theHostIsWhereTheCommandLooksForIt() {
        List<List<Instruction>> stages = stages();
        assertThat(stages).hasSize(2);
        List<Instruction> build = stages.get(0);
        List<Instruction> runtime = stages.get(1);
        assertThat(build.stream().filter(i -> i.keyword().equals("WORKDIR")).map(Instruction::arguments))
                .containsExactly(DenoDeployment.RUNTIME_DIR);
        assertThat(runtime).anySatisfy(i -> {
            assertThat(i.keyword()).isEqualTo("COPY");
            assertThat(i.arguments()).matches("--from=build " + DenoDeployment.RUNTIME_DIR + "/? " + DenoDeployment.RUNTIME_DIR + "/?");
        });
        assertThat(DenoDeployment.command()).contains(DenoDeployment.RUNTIME_DIR + "/host.ts", DenoDeployment.RUNTIME_DIR + "/deno.json");
        // runAsNonRoot needs a numeric user to verify
        assertThat(runtime.stream().filter(i -> i.keyword().equals("USER")).map(Instruction::arguments))
                .singleElement().satisfies(user -> assertThat(user).matches("[1-9][0-9]*(:[0-9]+)?"));
    }

    @Test
    void everythingTheHostNeedsIsCopiedFromTheRepository() throws IOException {
        List<String> sources = new ArrayList<>();
        for (Instruction copy : stages().get(0)) {
            if (copy.keyword().equals("COPY") && !copy.arguments().startsWith("--from")) {
                List<String> parts = Arrays.asList(copy.arguments().split("\\s+"));
                sources.addAll(parts.subList(0, parts.size() - 1));
            }
        }
        for (String source : sources) {
            assertThat(matching(source)).as("COPY " + source + " matches files in the repository").isNotEmpty();
        }
        // What the server build copies to target/deno (server/pom.xml), node_modules aside.
        Path hostSources = REPO.resolve("server/src/main/deno");
        try (Stream<Path> files = Files.list(hostSources)) {
            List<Path> needed = files.filter(f -> f.toString().endsWith(".ts") || f.getFileName().toString().endsWith(".json")).toList();
            List<Path> copied = sources.stream().flatMap(source -> matching(source).stream()).toList();
            assertThat(copied).containsAll(needed);
        }
    }

    private static List<Path> matching(String source) {
        Path pattern = REPO.resolve(source);
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        try (Stream<Path> files = Files.list(pattern.getParent())) {
            return files.filter(matcher::matches).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static List<List<Instruction>> stages() {
        List<List<Instruction>> stages = new ArrayList<>();
        for (Instruction instruction : instructions) {
            if (instruction.keyword().equals("FROM")) {
                stages.add(new ArrayList<>());
            }
            stages.get(stages.size() - 1).add(instruction);
        }
        return stages;
    }

    private static String single(String keyword) {
        List<String> found = instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
        assertThat(found).as(keyword).hasSize(1);
        return found.get(0);
    }

    private static List<String> json(String exec) throws IOException {
        return JSON.readValue(exec, new TypeReference<>() { });
    }
}
