package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block in README.md and docs/ compiles against the modules (the convention
 * is in docs/README.md), so the docs cannot drift from the code unnoticed.
 */
class DocSnippetsTest {

    /** The repository: surefire runs the samples' tests in samples/. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @TempDir
    Path classes;

    @Test
    void everyJavaSnippetInTheReadmeAndTheDocsCompiles() {
        List<DocSnippets.Snippet> snippets = DocSnippets.inRepository(ROOT);

        List<String> errors = DocSnippets.compile(snippets, classPath(), classes);

        assertTrue(errors.isEmpty(), errors.size() + " error(s) in the docs' ```java blocks (convention:"
                + " docs/README.md):\n" + String.join("\n", errors));
    }

    @Test
    void theReadmesEchoServerIsAmongTheSnippets() {
        List<DocSnippets.Snippet> snippets = DocSnippets.inRepository(ROOT);

        assertTrue(snippets.stream().anyMatch(s -> s.file().equals("README.md") && s.isMembers()
                && s.code().stream().anyMatch(line -> line.text().contains("static Promise<Void> echo(Flow flow)"))));
    }

    @Test
    void aSnippetThatDoesNotCompileIsReportedAtItsMarkdownLine() {
        List<String> markdown = List.of(
                "# A page", // 1
                "", // 2
                "```java", // 3
                "Loop loop = Loop.create();", // 4
                "loop.runForever();", // 5
                "```"); // 6

        List<String> errors = DocSnippets.compile(DocSnippets.extract("docs/page.md", markdown), classPath(), classes);

        assertEquals(1, errors.size(), errors::toString);
        assertTrue(errors.getFirst().startsWith("docs/page.md:5 (the ```java block at line 3, compiled as statements): "),
                errors.getFirst());
        assertTrue(errors.getFirst().contains("runForever"), errors.getFirst());
    }

    @Test
    void aSnippetOpeningWithAMethodIsCompiledAsAMember() {
        List<String> markdown = List.of(
                "```java",
                "static Promise<Integer> twice(Promise<Integer> p) {",
                "    return p.map(x -> x * 2);",
                "}",
                "```");

        List<DocSnippets.Snippet> snippets = DocSnippets.extract("docs/page.md", markdown);

        assertTrue(snippets.getFirst().isMembers());
        assertEquals(List.of(), DocSnippets.compile(snippets, classPath(), classes));
    }

    @Test
    void theContextCommentAboveAFenceDeclaresWhatTheSnippetUsesAndErrorsInItPointAtIt() {
        List<String> markdown = List.of(
                "<!-- java:", // 1
                "import java.util.concurrent.atomic.AtomicLong;", // 2
                "Loop loop; AtomicLong hits;", // 3
                "-->", // 4
                "```java", // 5
                "loop.sleep(Duration.ofMillis(5)).map(v -> hits.incrementAndGet());", // 6
                "```", // 7
                "<!-- java: Missing broken; -->", // 8
                "```java", // 9
                "int unused = 1;", // 10
                "```"); // 11

        List<String> errors = DocSnippets.compile(DocSnippets.extract("docs/page.md", markdown), classPath(), classes);

        assertEquals(1, errors.size(), errors::toString);
        assertTrue(errors.getFirst().startsWith("docs/page.md:8 "), errors.getFirst());
    }

    /** The test's class path: surefire gives the full one in this property when it runs from a manifest jar. */
    private static String classPath() {
        String full = System.getProperty("surefire.test.class.path");
        String path = full != null && !full.isBlank() ? full : System.getProperty("java.class.path");
        assertTrue(path.contains(File.pathSeparator) || Files.exists(Path.of(path)), path);
        return path;
    }
}
