import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Reads the JUnit XML reports the console launcher wrote in dom0 and prints one line per test, then
 * "N passed, N failed" alone on the last line. Exits 0 only if every test passed and at least one ran.
 * A skipped or aborted test counts as failed: in dom0 every real-xen test is expected to run.
 * Usage: java Report.java REPORTS_DIR
 */
final class Report {
    private Report() {}

    public static void main(String[] args) throws Exception {
        int passed = 0;
        int failed = 0;
        try (var files = Files.list(Path.of(args[0]))) {
            for (Path xml : files.filter(f -> f.getFileName().toString().matches("TEST-.*\\.xml")).sorted().toList()) {
                NodeList cases = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                        .parse(xml.toFile()).getElementsByTagName("testcase");
                for (int i = 0; i < cases.getLength(); i++) {
                    Element test = (Element) cases.item(i);
                    String problem = problem(test);
                    String name = test.getAttribute("classname") + "." + test.getAttribute("name");
                    String time = test.getAttribute("time");
                    if (problem == null) {
                        passed++;
                        System.out.printf(Locale.ROOT, "  PASS  %s (%s s)%n", name, time);
                    } else {
                        failed++;
                        System.out.printf(Locale.ROOT, "  FAIL  %s (%s s): %s%n", name, time, problem);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%d passed, %d failed%n", passed, failed);
        System.exit(failed == 0 && passed > 0 ? 0 : 1);
    }

    /** What went wrong in a test case, or null when it passed. */
    private static String problem(Element test) {
        for (String kind : new String[] {"failure", "error", "skipped"}) {
            NodeList found = test.getElementsByTagName(kind);
            if (found.getLength() > 0) {
                Element first = (Element) found.item(0);
                String message = first.getAttribute("message");
                String type = first.getAttribute("type");
                String detail = (type.isEmpty() ? "" : type + ": ") + message;
                return kind + (detail.isBlank() ? "" : " " + detail.strip().replace('\n', ' '));
            }
        }
        return null;
    }
}
