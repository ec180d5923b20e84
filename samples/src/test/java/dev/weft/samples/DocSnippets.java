package dev.weft.samples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * The {@code ```java} blocks of Markdown files, wrapped into compilation units and compiled with
 * javax.tools against the modules' classes, as docs/README.md's convention says: default imports,
 * an optional {@code <!-- java: ... -->} comment just above the fence with imports and
 * declarations the reader need not see, and the snippet itself as members of a class (if a line
 * at its left margin declares a method or a type, or opens with a modifier) or as statements of a
 * method. Errors come back as {@code file:line: message}
 * with the Markdown file's own line numbers.
 */
final class DocSnippets {

    /** Packages every snippet sees, on demand. */
    static final List<String> WILDCARD_IMPORTS = List.of(
            "dev.weft.promise", "dev.weft.loop", "dev.weft.loop.device",
            "dev.weft.unix", "dev.weft.unix.blocking", "dev.weft.unix.buffer", "dev.weft.unix.epoll",
            "dev.weft.unix.net", "dev.weft.unix.nio", "dev.weft.unix.signal",
            "dev.weft.xen", "dev.weft.xen.blk", "dev.weft.xen.bus", "dev.weft.xen.console", "dev.weft.xen.evtchn",
            "dev.weft.xen.grant", "dev.weft.xen.lifecycle", "dev.weft.xen.linux", "dev.weft.xen.net",
            "dev.weft.xen.ring", "dev.weft.xen.sim", "dev.weft.xen.store", "dev.weft.xen.vchan",
            "dev.weft.reactor", "reactor.core.publisher", "org.agrona.concurrent",
            "java.io", "java.lang.foreign", "java.net", "java.nio", "java.nio.charset", "java.nio.file",
            "java.time", "java.util", "java.util.concurrent", "java.util.function");

    /** Names two of the packages above share, settled for Weft's type (write the other one in full). */
    static final List<String> SINGLE_IMPORTS = List.of(
            "dev.weft.loop.device.Flow", "dev.weft.loop.Clock", "dev.weft.promise.Semaphore");

    private static final Pattern FENCE_OPEN = Pattern.compile("^\\s*```java\\s*$");
    private static final Pattern FENCE_CLOSE = Pattern.compile("^\\s*```\\s*$");
    private static final String CONTEXT_OPEN = "<!-- java:";
    private static final String CONTEXT_CLOSE = "-->";
    /** A snippet with a line at the left margin that matches this is class members. */
    private static final Pattern DECLARATION = Pattern.compile(
            "^(public|protected|private|static|final|abstract|sealed|non-sealed|default|synchronized"
                    + "|class|record|interface|enum)\\b"
                    // a method header: a return type, a name, parameters, then a body
                    + "|^[\\w.<>\\[\\], ?]+\\s+\\w+\\s*\\([^;=]*\\)\\s*(throws\\s+[\\w., ]+)?\\s*\\{\\s*(//.*)?$");

    private DocSnippets() {}

    /** One line of Java and the Markdown line it came from. */
    record Line(String text, int markdownLine) {}

    /**
     * A {@code ```java} block.
     *
     * @param file the Markdown file, as errors name it
     * @param fenceLine the line of the opening fence (1-based)
     * @param context the lines of the {@code <!-- java: -->} comment above it, if any
     * @param code the snippet's lines
     */
    record Snippet(String file, int fenceLine, List<Line> context, List<Line> code) {

        /** Whether a line at the left margin opens a declaration (method, type, modifier): members, not statements. */
        boolean isMembers() {
            for (Line line : code) {
                String text = line.text();
                if (!text.isEmpty() && !Character.isWhitespace(text.charAt(0)) && DECLARATION.matcher(text.strip()).find()) {
                    return true;
                }
            }
            return false;
        }

        String className() {
            return "Snippet_" + file.replaceAll("[^A-Za-z0-9]", "_") + "_" + fenceLine;
        }
    }

    /** The snippets of every Markdown file: README.md and docs/ (all depths) under {@code root}. */
    static List<Snippet> inRepository(Path root) {
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("README.md"));
        try (var docs = Files.walk(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Snippet> snippets = new ArrayList<>();
        for (Path file : files) {
            try {
                snippets.addAll(extract(root.relativize(file).toString(), Files.readAllLines(file)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return snippets;
    }

    /** The {@code ```java} blocks of one Markdown text, with the context comment above each. */
    static List<Snippet> extract(String file, List<String> lines) {
        List<Snippet> snippets = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!FENCE_OPEN.matcher(lines.get(i)).matches()) {
                continue;
            }
            int fence = i;
            List<Line> code = new ArrayList<>();
            for (i++; i < lines.size() && !FENCE_CLOSE.matcher(lines.get(i)).matches(); i++) {
                code.add(new Line(lines.get(i), i + 1));
            }
            if (i == lines.size()) {
                throw new IllegalArgumentException(file + ":" + (fence + 1) + ": a ```java block that never closes");
            }
            snippets.add(new Snippet(file, fence + 1, contextAbove(lines, fence), code));
        }
        return snippets;
    }

    /** The lines of a {@code <!-- java: ... -->} comment ending just above {@code fence} (blank lines between allowed). */
    private static List<Line> contextAbove(List<String> lines, int fence) {
        int end = fence - 1;
        while (end >= 0 && lines.get(end).isBlank()) {
            end--;
        }
        if (end < 0 || !lines.get(end).strip().endsWith(CONTEXT_CLOSE)) {
            return List.of();
        }
        int start = end;
        while (start >= 0 && !lines.get(start).strip().startsWith(CONTEXT_OPEN)) {
            if (start < end && lines.get(start).contains(CONTEXT_CLOSE)) {
                return List.of(); // another comment closes here: the one above the fence is not ours
            }
            start--;
        }
        if (start < 0) {
            return List.of();
        }
        List<Line> context = new ArrayList<>();
        for (int i = start; i <= end; i++) {
            String text = lines.get(i);
            if (i == start) {
                text = text.substring(text.indexOf(CONTEXT_OPEN) + CONTEXT_OPEN.length());
            }
            if (i == end) {
                text = text.substring(0, text.lastIndexOf(CONTEXT_CLOSE));
            }
            context.add(new Line(text, i + 1));
        }
        return context;
    }

    /** A snippet as a compilation unit, and for each of its lines the Markdown line it came from. */
    record Unit(Snippet snippet, String source, int[] markdownLines) {}

    static Unit wrap(Snippet snippet) {
        List<Line> out = new ArrayList<>();
        int fence = snippet.fenceLine();
        for (String pkg : WILDCARD_IMPORTS) {
            out.add(new Line("import " + pkg + ".*;", fence));
        }
        for (String type : SINGLE_IMPORTS) {
            out.add(new Line("import " + type + ";", fence));
        }
        List<Line> members = new ArrayList<>();
        for (Line line : snippet.context()) {
            (line.text().strip().startsWith("import ") ? out : members).add(line);
        }
        List<Line> body = new ArrayList<>(snippet.code());
        body.removeIf(line -> {
            if (line.text().strip().startsWith("import ")) {
                out.add(line);
                return true;
            }
            return false;
        });
        out.add(new Line("@SuppressWarnings(\"all\") class " + snippet.className() + " {", fence));
        out.addAll(members);
        if (snippet.isMembers()) {
            out.addAll(body);
        } else {
            out.add(new Line("void snippet() throws Exception {", fence));
            out.addAll(body);
            out.add(new Line("}", fence));
        }
        out.add(new Line("}", fence));
        StringBuilder source = new StringBuilder();
        int[] markdownLines = new int[out.size() + 1];
        for (int i = 0; i < out.size(); i++) {
            source.append(out.get(i).text()).append('\n');
            markdownLines[i + 1] = out.get(i).markdownLine();
        }
        return new Unit(snippet, source.toString(), markdownLines);
    }

    /**
     * Compiles the snippets together against {@code classPath}; returns one {@code file:line:
     * message} per error (none if all compile).
     */
    static List<String> compile(List<Snippet> snippets, String classPath, Path classesOut) {
        List<Unit> units = snippets.stream().map(DocSnippets::wrap).toList();
        List<JavaFileObject> sources = new ArrayList<>();
        for (Unit unit : units) {
            sources.add(new SimpleJavaFileObject(URI.create("string:///" + unit.snippet().className() + ".java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return unit.source();
                }
            });
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            List<String> options = List.of("-proc:none", "-implicit:none", "-nowarn", "-classpath", classPath,
                    "-d", classesOut.toString());
            javac.getTask(null, files, diagnostics, options, null, sources).call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> diagnostic : diagnostics.getDiagnostics()) {
            if (diagnostic.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            errors.add(locate(units, diagnostic) + ": " + diagnostic.getMessage(Locale.ROOT).replace('\n', ' '));
        }
        return errors;
    }

    private static String locate(List<Unit> units, Diagnostic<? extends JavaFileObject> diagnostic) {
        if (diagnostic.getSource() == null) {
            return "(javac)";
        }
        String name = diagnostic.getSource().toUri().getPath();
        for (Unit unit : units) {
            if (name.endsWith("/" + unit.snippet().className() + ".java")) {
                long line = diagnostic.getLineNumber();
                int markdownLine = line > 0 && line < unit.markdownLines().length
                        ? unit.markdownLines()[(int) line] : unit.snippet().fenceLine();
                return unit.snippet().file() + ":" + markdownLine + " (the ```java block at line "
                        + unit.snippet().fenceLine() + ", compiled as " + (unit.snippet().isMembers() ? "members" : "statements") + ")";
            }
        }
        return name;
    }
}
