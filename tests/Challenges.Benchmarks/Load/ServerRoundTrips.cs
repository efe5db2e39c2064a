using System.Globalization;
using System.Text.RegularExpressions;

namespace Challenges.Benchmarks.Load;

/// <summary>
/// The server's own count of store round trips per request (its <c>store.round_trips</c> histogram, by route), read from
/// its Prometheus <c>/metrics</c> before and after the probe. Unlike the MONITOR probe's commands, calls the server sends
/// together count once here: this is the number of times a request waited for Redis.
/// </summary>
internal static partial class ServerRoundTrips
{
    [GeneratedRegex("""^store_round_trips_(?<kind>bucket|count|sum)\{(?<labels>[^}]*)\}\s+(?<value>\S+)""", RegexOptions.Multiline)]
    private static partial Regex Series();

    [GeneratedRegex("""(?<name>\w+)="(?<value>[^"]*)" """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex Label();

    /// <summary>Per route: requests, round trips in all, and requests per bucket (cumulative, by upper bound).</summary>
    public sealed record Histogram(double Count, double Sum, SortedDictionary<double, double> Buckets)
    {
        public double Mean => Count == 0 ? 0 : Sum / Count;

        /// <summary>The smallest bucket bound that holds every request: the most round trips any request took.</summary>
        public double Max => Buckets.FirstOrDefault(b => b.Value >= Count).Key;

        public Histogram Minus(Histogram? before) => before is null
            ? this
            : new(Count - before.Count, Sum - before.Sum,
                new SortedDictionary<double, double>(Buckets.ToDictionary(b => b.Key, b => b.Value - before.Buckets.GetValueOrDefault(b.Key))));
    }

    public static async Task<Dictionary<string, Histogram>> ScrapeAsync(HttpClient http, Uri metrics, CancellationToken cancel)
    {
        var text = await http.GetStringAsync(metrics, cancel);
        var routes = new Dictionary<string, Histogram>(StringComparer.Ordinal);
        foreach (Match series in Series().Matches(text))
        {
            var labels = Label().Matches(series.Groups["labels"].Value).ToDictionary(l => l.Groups["name"].Value, l => l.Groups["value"].Value);
            if (!labels.TryGetValue("route", out var route))
            {
                continue;
            }
            var value = double.Parse(series.Groups["value"].Value, CultureInfo.InvariantCulture);
            var h = routes.TryGetValue(route, out var found) ? found : routes[route] = new Histogram(0, 0, []);
            switch (series.Groups["kind"].Value)
            {
                case "count":
                    routes[route] = h with { Count = value };
                    break;
                case "sum":
                    routes[route] = h with { Sum = value };
                    break;
                default:
                    h.Buckets[labels.TryGetValue("le", out var le) && le != "+Inf" ? double.Parse(le, CultureInfo.InvariantCulture) : double.PositiveInfinity] = value;
                    break;
            }
        }
        return routes;
    }

    public static Dictionary<string, Histogram> Delta(Dictionary<string, Histogram> before, Dictionary<string, Histogram> after) =>
        after.ToDictionary(a => a.Key, a => a.Value.Minus(before.GetValueOrDefault(a.Key)), StringComparer.Ordinal)
            .Where(d => d.Value.Count > 0).ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal);

    /// <summary>The route an endpoint's report name measures: the name without its note in brackets.</summary>
    public static string RouteOf(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var note = endpoint.IndexOf(" (", StringComparison.Ordinal);
        return note < 0 ? endpoint : endpoint[..note];
    }
}
