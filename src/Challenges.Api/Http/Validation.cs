using System.Text.Json;
using System.Text.RegularExpressions;
using FluentValidation;

namespace Challenges.Api.Http;

/// <summary>Shared field rules, so every validator words the same rule the same way.</summary>
public static partial class Validation
{
    public const int MaxIdLength = 256;

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex E164();

    [GeneratedRegex(@"^[^@\s""<>()\[\],;:\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")]
    private static partial Regex Email();

    public static bool IsE164(string? value) => value is not null && E164().IsMatch(value);
    public static bool IsEmail(string? value) => value is not null && value.Length <= 254 && Email().IsMatch(value);

    public static IRuleBuilderOptions<T, string?> PhoneNumber<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(value => value is null || IsE164(value))
            .WithMessage("{PropertyName}: must be a phone number in E.164 format, e.g. +64270000000.");

    public static IRuleBuilderOptions<T, string?> EmailAddress<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(value => value is null || IsEmail(value))
            .WithMessage("{PropertyName}: must be a valid email address.");

    public static IRuleBuilderOptions<T, string?> OneOf<T>(this IRuleBuilder<T, string?> rule, params string[] allowed) =>
        rule.Must(value => value is null || allowed.Contains(value, StringComparer.Ordinal))
            .WithMessage($"{{PropertyName}}: must be one of {string.Join(", ", allowed)}.");

    /// <summary>1 to <see cref="MaxIdLength"/> characters with no control characters: every id, in a body or a path.</summary>
    public static bool IsIdentifier(string? value) => value is { Length: > 0 and <= MaxIdLength } && !value.Any(char.IsControl);

    public static string IdentifierRule(string field) => $"{field}: must be 1 to {MaxIdLength} characters with no control characters.";

    public static IRuleBuilderOptions<T, string?> Identifier<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(value => value is null || IsIdentifier(value)).WithMessage(IdentifierRule("{PropertyName}"));

    public static IRuleBuilderOptions<T, string?> Text<T>(this IRuleBuilder<T, string?> rule, int maxLength) =>
        rule.Must(value => value is null || value.Length <= maxLength)
            .WithMessage($"{{PropertyName}}: must be at most {maxLength} characters.");

    public static IRuleBuilderOptions<T, JsonElement?> JsonObject<T>(this IRuleBuilder<T, JsonElement?> rule) =>
        rule.Must(value => value is null || value.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Null)
            .WithMessage("{PropertyName}: must be a JSON object.");

    /// <summary>FluentValidation names properties in PascalCase; the wire uses camelCase.</summary>
    public static void UseCamelCasePropertyNames() =>
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
}
