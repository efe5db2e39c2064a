using System.Text;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Tokens;

/// <summary>A signing key of at least 32 bytes, required outside Development; checked when the server starts.</summary>
public sealed class TokenOptionsValidator(IHostEnvironment environment) : IValidateOptions<TokenOptions>
{
    public ValidateOptionsResult Validate(string? name, TokenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.SigningKey))
        {
            return environment.IsDevelopment()
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail("Tokens__SigningKey is required outside Development (at least 32 bytes).");
        }
        if (Encoding.UTF8.GetByteCount(options.SigningKey) < 32)
        {
            return ValidateOptionsResult.Fail("Tokens__SigningKey must be at least 32 bytes.");
        }
        if (options.Lifetime <= TimeSpan.Zero || options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromSeconds(30))
        {
            return ValidateOptionsResult.Fail("Tokens__Lifetime must be positive and Tokens__ClockSkew between 0 and 30 seconds.");
        }
        return ValidateOptionsResult.Success;
    }
}
