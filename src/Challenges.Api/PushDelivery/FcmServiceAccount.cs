using System.Security.Cryptography;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Json;

namespace Challenges.Api.PushDelivery;

/// <summary>A Firebase service account's JSON key, as the Firebase console hands it out.</summary>
public static class FcmServiceAccount
{
    /// <summary>
    /// The key's fields from JSON text or a file path; null with a <paramref name="problem"/> (never quoting the key)
    /// unless it is a service account with a project, an email, an RSA private key and an http(s) <c>token_uri</c>.
    /// </summary>
    public static JsonCredentialParameters? Parse(string setting, out string? problem)
    {
        var json = CredentialSetting.Read(setting, "{", out problem);
        if (json is null)
        {
            return null;
        }
        JsonCredentialParameters? account;
        try
        {
            account = NewtonsoftJsonSerializer.Instance.Deserialize<JsonCredentialParameters>(json);
        }
        catch (Newtonsoft.Json.JsonException)
        {
            account = null;
        }
        problem = account switch
        {
            null => "is not a JSON object",
            { Type: not JsonCredentialParameters.ServiceAccountCredentialType } => "is not a service account key (\"type\": \"service_account\")",
            { ProjectId: null or "" } => "has no project_id",
            { ClientEmail: null or "" } => "has no client_email",
            { TokenUri: { } uri } when !Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp) =>
                "has a token_uri that is not an absolute http or https URL",
            _ when !IsRsaKey(account.PrivateKey) => "has no RSA private_key in PEM form",
            _ => null,
        };
        return problem is null ? account : null;
    }

    /// <summary>Where the account's OAuth2 tokens come from: its <c>token_uri</c>, Google's endpoint when it names none.</summary>
    public static string TokenUri(JsonCredentialParameters account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return string.IsNullOrEmpty(account.TokenUri) ? GoogleAuthConsts.OidcTokenUrl : account.TokenUri;
    }

    private static bool IsRsaKey(string? pem)
    {
        if (string.IsNullOrEmpty(pem))
        {
            return false;
        }
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            rsa.SignData([0], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            return false;
        }
    }
}
