package dev.weft.loop;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Gives a test a {@link Seed} for {@link Loop.Builder#shuffle}: the value of {@code -Dweft.seed}
 * if set, else a fresh random one. If the test fails, the failure is rethrown with the seed and
 * the command-line flag that replays it in its message.
 */
final class ShuffleSeedExtension implements ParameterResolver, TestExecutionExceptionHandler {

    /** A shuffle seed handed to a test method. */
    record Seed(long value) {}

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ShuffleSeedExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Seed.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        String fixed = System.getProperty("weft.seed");
        long value = fixed != null ? Long.parseLong(fixed) : new java.util.SplittableRandom().nextLong();
        Seed seed = new Seed(value);
        context.getStore(NAMESPACE).put("seed", seed);
        return seed;
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        Seed seed = context.getStore(NAMESPACE).get("seed", Seed.class);
        throw seed == null ? failure : withSeed(failure, seed.value());
    }

    /** {@code failure} rethrown as an AssertionError whose message names the seed; the cause is kept. */
    static AssertionError withSeed(Throwable failure, long seed) {
        AssertionError tagged = new AssertionError("[shuffle seed " + seed + "; replay with -Dweft.seed=" + seed
                + "] " + failure.getMessage(), failure);
        tagged.setStackTrace(failure.getStackTrace());
        return tagged;
    }
}
