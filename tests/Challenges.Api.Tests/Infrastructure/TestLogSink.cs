using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Challenges.Api.Tests.Infrastructure;

/// <summary>
/// Captures every log line (with exception text) of every in-process test server of the run, so that the run can be
/// checked for secrets at its end (<see cref="ApiFixture"/> does, when the integration collection finishes).
/// </summary>
public sealed partial class TestLogSink : ILoggerProvider
{
    private static readonly ConcurrentQueue<string> Lines = new();

    public static IReadOnlyCollection<string> All => Lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName);

    public void Dispose()
    {
    }

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{10,}\.eyJ")]
    private static partial Regex Jwt();

    /// <summary>Lines holding a client token, a signature header, or one of <paramref name="secrets"/>.</summary>
    public static IReadOnlyList<string> LinesWithSecrets(IEnumerable<string> secrets)
    {
        var list = secrets.Where(s => s.Length >= 6).Distinct().ToList();
        return Lines.Where(line => Jwt().IsMatch(line) || line.Contains("v2=", StringComparison.Ordinal)
            || list.Any(s => line.Contains(s, StringComparison.Ordinal))).ToList();
    }

    private sealed class Logger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
