-- wrk script: prints one line of latency percentiles (microseconds) after the run, for
-- benchmarks/scripts/p99-spin.sh. Defines no request or response function, so wrk sends its
-- static request at full speed as without a script.
done = function(summary, latency, requests)
  local line = "percentiles"
  for _, p in ipairs({50, 75, 90, 95, 99, 99.9}) do
    line = line .. string.format(" p%s=%d", p, latency:percentile(p))
  end
  io.write(line .. string.format(" max=%d requests=%d\n", latency.max, summary.requests))
end
