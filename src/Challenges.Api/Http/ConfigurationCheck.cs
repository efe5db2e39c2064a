using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Http;

/// <summary>
/// Runs every start-up check of the options before the host starts, so that a refused configuration prints each problem
/// once, on one line naming the key, and the process exits with code 1 instead of dying with a stack trace.
/// </summary>
public static partial class ConfigurationCheck
{
    /// <summary>The exit code of a refused configuration.</summary>
    public const int RefusedExitCode = 1;

    /// <summary>True when the configuration passes; otherwise writes the problems to standard error.</summary>
    public static bool ConfigurationIsValid(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
            return true;
        }
        catch (Exception e) when (Problems(e).Count > 0)
        {
            foreach (var problem in Problems(e))
            {
                Console.Error.WriteLine($"Configuration refused: {problem}");
            }
            return false;
        }
    }

    /// <summary>
    /// The distinct problems an options failure carries: validation messages, and for a value of the wrong type the
    /// key in environment-variable form (the binder's own message would repeat the value, which may be a secret).
    /// </summary>
    public static IReadOnlyList<string> Problems(Exception exception) => exception switch
    {
        OptionsValidationException e => [.. e.Failures.Distinct(StringComparer.Ordinal)],
        AggregateException e => [.. e.InnerExceptions.SelectMany(Problems).Distinct(StringComparer.Ordinal)],
        InvalidOperationException e when BindingFailure().Match(e.Message) is { Success: true } m =>
            [$"{m.Groups["key"].Value.Replace(":", "__", StringComparison.Ordinal)} is not a valid {m.Groups["type"].Value.Split('.')[^1]}."],
        _ => [],
    };

    [GeneratedRegex("^Failed to convert configuration value .* at '(?<key>[^']+)' to type '(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex BindingFailure();
}
