using System.Text.Json;
using System.Text.Json.Nodes;
using Challenges.Api.Actions;
using Challenges.Api.Http;
using Challenges.Api.MagicLink;
using Challenges.Api.Otp;
using Challenges.Api.Passkeys;
using Challenges.Api.Push;
using Challenges.Api.RecoveryCodes;
using Challenges.Api.Sessions;
using Challenges.Api.Users;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Challenges.Api.OpenApi;

/// <summary>
/// Request bodies and parameters in the OpenAPI document get an example that passes validation (so Swagger UI's
/// "Try it out" works on the first try) and a description per field. One table, checked by a test that runs every
/// example through the request's validator.
/// </summary>
public sealed class OpenApiExamples : ISchemaFilter, IParameterFilter
{
    /// <summary>An EC P-256 public key (SubjectPublicKeyInfo DER, standard base64) made for these examples.</summary>
    private const string ExampleKey =
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE5gEiPiVnnsZHvG2Wst+1wPEY9WKDYoZgwgMXf8jerx2cOKxpVqgsHfeTHp/q0S1Zw1yErjmml4joOsp53z2a7A==";
    private const string ExampleJwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.c2lnbmF0dXJl";
    private const string ExampleSignature = "MEUCIQDx0Vq8l5bE3N0x2cQ1m0rj5a9Yp8s7H1p2O3k4L5m6NwIgVGhpcyBpcyBhbiBleGFtcGxlIHNpZ25hdHVyZSE=";

    private static readonly Dictionary<string, string> Shared = new(StringComparer.Ordinal)
    {
        ["idempotencyKey"] = "Names the action; the same key again returns the same action. Generated when absent.",
        ["userId"] = "Your user's id: 1 to 256 characters, no control characters.",
        ["action"] = "The action code, e.g. signIn or addAuthenticator.",
        ["challengeId"] = "The id returned when the challenge was started.",
        ["verificationCode"] = "The digits the user received (push: the number the web page shows, with number matching).",
        ["verificationMethod"] = "SMS, WHATSAPP or EMAIL_OTP.",
        ["phoneNumber"] = "E.164 format, e.g. +64270000000.",
        ["email"] = "An email address.",
        ["smsChannel"] = "DEFAULT (SMS) or WHATSAPP.",
        ["ipAddress"] = "The end user's IP address: shown on the device and counted by the per-address limit.",
        ["userAgent"] = "The end user's browser or app.",
        ["deviceId"] = "Your id for the end user's device.",
        ["custom"] = "A JSON object of your own; shown to a device only on a signed request.",
        ["scope"] = "Space separated scopes for the client token, e.g. add:authenticators.",
        ["locale"] = "The user's locale, passed on in webhooks, e.g. en-NZ.",
        ["publicKey"] = "The device key: EC P-256 SubjectPublicKeyInfo DER, standard base64.",
        ["signature"] = "ECDSA P-256 over SHA-256, ASN.1 DER, standard base64.",
        ["userAuthenticatorId"] = "Only this authenticator (default: all the user's push devices).",
        ["pushToken"] = "The device's APNs or FCM token: notified directly (Push Delivery Direct or Both) and forwarded in push.created.",
        ["tenantId"] = "The tenant's public id.",
    };

    private sealed record Body(object Example, Dictionary<string, string>? Fields = null);

    /// <summary>A WebAuthn credential id and the parts of a registration and an assertion, shortened, base64url.</summary>
    private const string ExampleCredentialId = "AAECAwQFBgcICQoLDA0ODxAREhM";
    private static readonly object ExampleRegistration = new
    {
        id = ExampleCredentialId,
        rawId = ExampleCredentialId,
        type = "public-key",
        response = new
        {
            clientDataJSON = "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiLi4uIiwib3JpZ2luIjoiaHR0cHM6Ly9hcHAuZXhhbXBsZSJ9",
            attestationObject = "o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVjE",
            transports = new[] { "internal", "hybrid" },
        },
    };
    private static readonly object ExampleAssertion = new
    {
        id = ExampleCredentialId,
        rawId = ExampleCredentialId,
        type = "public-key",
        response = new
        {
            clientDataJSON = "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0IiwiY2hhbGxlbmdlIjoiLi4uIiwib3JpZ2luIjoiaHR0cHM6Ly9hcHAuZXhhbXBsZSJ9",
            authenticatorData = "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAAAQ",
            signature = "MEUCIQDx0Vq8l5bE3N0x2cQ1m0rj5a9Yp8s7H1p2O3k4L5m6NwIgVGhpcyBpcyBhbiBleGFtcGxlIHNpZ25hdHVyZSE",
        },
    };
    private static readonly Dictionary<string, string> BareCredentialFields = new(StringComparer.Ordinal)
    {
        ["id"] = "The credential id, base64url (or base64).",
        ["rawId"] = "The credential id's bytes, base64url (or base64); preferred over id.",
        ["type"] = "public-key.",
        ["response"] = "The authenticator's response, its binary parts in base64url (clientDataJSON also in standard base64, as iOS sends it).",
    };

    private static readonly Dictionary<Type, Body> Bodies = new()
    {
        [typeof(TrackRequest)] = new(new
        {
            redirectUrl = "https://app.example/after-challenge",
            ipAddress = "203.0.113.7",
            userAgent = "Mozilla/5.0 (Macintosh)",
            deviceId = "browser-1",
            email = "jane@example.com",
            custom = new { amount = "42.00" },
            locale = "en-NZ",
        }, new(StringComparer.Ordinal)
        {
            ["redirectUrl"] = "Where the hosted page sends the user afterwards.",
            ["username"] = "A username to store on the user.",
            ["email"] = "An email to store on the user (used by EMAIL_OTP enrolment).",
            ["phoneNumber"] = "A phone number to store on the user (used by SMS enrolment).",
        }),
        [typeof(UpdateActionRequest)] = new(new { state = ActionStates.ChallengeSucceeded },
            new(StringComparer.Ordinal) { ["state"] = string.Join(", ", ActionStates.All) + "." }),
        [typeof(ValidateRequest)] = new(new { token = ExampleJwt },
            new(StringComparer.Ordinal) { ["token"] = "The client token a successful verify returned (valid once)." }),
        [typeof(InitiateChallengeRequest)] = new(new { verificationMethod = "SMS", action = "signIn", phoneNumber = "+64270000000" }),
        [typeof(VerifyChallengeRequest)] = new(new { challengeId = "6f1c2e0a-4a57-4b8e-9d7e-1a2b3c4d5e6f", verificationCode = "123456" }),
        [typeof(ClaimChallengeRequest)] = new(new { challengeId = "6f1c2e0a-4a57-4b8e-9d7e-1a2b3c4d5e6f", userId = "user-123" },
            new(StringComparer.Ordinal) { ["skipVerificationCheck"] = "Claim a challenge that was not verified (your backend verified otherwise)." }),
        [typeof(ChallengeQuery)] = new(new { userId = "user-123", action = "signIn", verificationMethod = "SMS" }),
        [typeof(EnrolSmsRequest)] = new(new { phoneNumber = "+64270000000" }),
        [typeof(EnrolEmailRequest)] = new(new { email = "jane@example.com" }),
        [typeof(StartSmsRequest)] = new(new { smsChannel = "DEFAULT" }),
        [typeof(ClientVerifyRequest)] = new(new { verificationCode = "123456" }),
        [typeof(ClientChallengeRequest)] = new(new { action = "signIn" }),
        [typeof(StartPushRequest)] = new(new { action = "signIn" },
            new(StringComparer.Ordinal) { ["action"] = "Sent by the browser SDK; the client token's action is the one challenged." }),
        [typeof(VerifyPushRequest)] = new(new { challengeId = "6f1c2e0a-4a57-4b8e-9d7e-1a2b3c4d5e6f" }),
        [typeof(AddPushCredentialRequest)] = new(new { publicKey = ExampleKey, deviceName = "Jane's phone", devicePlatform = "android", pushToken = "fcm-token" },
            new(StringComparer.Ordinal)
            {
                ["deviceName"] = "Shown in authenticator lists.", ["devicePlatform"] = "ios or android.",
                ["performAttestation"] = "App Attest (iOS) or Play Integrity (Android) evidence: stored with the credential, not verified.",
            }),
        [typeof(UpdatePushCredentialRequest)] = new(new
        {
            challengeId = "6f1c2e0a-4a57-4b8e-9d7e-1a2b3c4d5e6f", publicKey = ExampleKey, signature = ExampleSignature, pushToken = "fcm-token-2",
        }, new(StringComparer.Ordinal)
        {
            ["challengeId"] = "The challengeId from POST …/push/sign; the signature is over its message.",
            ["resetExpiry"] = "Restart the credential's lifetime.",
        }),
        [typeof(AnswerPushRequest)] = new(new
        {
            challengeId = "6f1c2e0a-4a57-4b8e-9d7e-1a2b3c4d5e6f", publicKey = ExampleKey, signature = ExampleSignature, approved = true,
        }, new(StringComparer.Ordinal)
        {
            ["signature"] = "Over the challengeId: ECDSA P-256 over SHA-256, ASN.1 DER, standard base64.",
            ["approved"] = "true approves, false rejects.",
            ["reason"] = "With a rejection, NOT_ME: the user did not try to sign in; pushes to the user pause and push.reported is sent.",
        }),
        [typeof(RemovePushCredentialRequest)] = new(new { publicKey = ExampleKey, signature = ExampleSignature },
            new(StringComparer.Ordinal) { ["signature"] = "Over the time-window message floor(unixSeconds / 600) written with .0." }),
        [typeof(UpdateUserRequest)] = new(new { email = "jane@example.com", displayName = "Jane Doe" },
            new(StringComparer.Ordinal) { ["displayName"] = "A name to show.", ["username"] = "A username.", ["email"] = "An email (empty removes it).",
                ["phoneNumber"] = "E.164 format (empty removes it)." }),
        [typeof(EnrolAuthenticatorRequest)] = new(new { verificationMethod = "SMS", phoneNumber = "+64270000000" },
            new(StringComparer.Ordinal)
            {
                ["isDefault"] = "Make it the user's default authenticator.",
                ["otpUri"] = "AUTHENTICATOR_APP: otpauth://totp/Issuer:account?secret=BASE32&issuer=Issuer (SHA1, 6 digits, 30 s).",
                ["credentialId"] = "PASSKEY: the credential id, base64url (standard base64 and padding accepted).",
                ["credentialPublicKey"] = "PASSKEY: the COSE public key (ES256, RS256 or EdDSA), base64url.",
                ["counter"] = "PASSKEY: the signature counter the other provider last saw (0 to 4294967295, default 0).",
                ["name"] = "PASSKEY: the name the user knows it by (at most 256 characters).",
                ["transports"] = "PASSKEY: its transports (internal, hybrid, usb, nfc, ble).",
                ["aaguid"] = "PASSKEY: the authenticator model's AAGUID (a UUID).",
            }),
        [typeof(RecoveryCodeRequest)] = new(new { verificationCode = "abcde-fghij" },
            new(StringComparer.Ordinal) { ["verificationCode"] = "A recovery code as shown; case, hyphens and spaces do not matter." }),
        [typeof(CreateSessionRequest)] = new(new { clientId = "web", token = ExampleJwt, action = "signIn" }, new(StringComparer.Ordinal)
        {
            ["clientId"] = "An app client of the tenant; becomes the access token's aud.",
            ["token"] = "A client token whose action succeeded a challenge; each action makes one session.",
            ["action"] = "When given, must be the token's action.",
        }),
        [typeof(ValidateSessionRequest)] = new(new { accessToken = ExampleJwt, clientIds = new[] { "web" } }, new(StringComparer.Ordinal)
        {
            ["accessToken"] = "An access token from create or refresh.",
            ["clientIds"] = "Accept the token only when it was issued for one of these app clients.",
        }),
        [typeof(RefreshSessionRequest)] = new(new { refreshToken = "3f72a26e6834b4da0c5e8f1a9b2d4c6e8a0b1c2d3e4f5061728394a5b6c7d8e9" },
            new(StringComparer.Ordinal) { ["refreshToken"] = "The session's latest refresh token; one that a refresh has replaced revokes the session." }),
        [typeof(RevokeSessionRequest)] = new(new { accessToken = ExampleJwt },
            new(StringComparer.Ordinal) { ["accessToken"] = "An access token of the session to end, expired or not." }),
        [typeof(RevokeUserSessionsRequest)] = new(new { userId = "user-123" }),
        [typeof(EnrolMagicLinkRequest)] = new(new { email = "jane@example.com" }),
        [typeof(FinalizeMagicLinkRequest)] = new(new { challengeId = "6f1c2e0a-4a57-4b8e-9d7e-1a2b3c4d5e6f" },
            new(StringComparer.Ordinal) { ["challengeId"] = "Optional (the browser SDK sends {}): the token's action's latest link is polled." }),
        [typeof(RegistrationOptionsRequest)] = new(new { username = "jane@example.com", displayName = "Jane Doe", authenticatorAttachment = "platform" },
            new(StringComparer.Ordinal)
            {
                ["username"] = "The name the passkey is saved under (default: the token's username, the user's username, email, phone or id).",
                ["displayName"] = "The name shown for the passkey (default: the user's display name, else the username).",
                ["authenticatorAttachment"] = "platform, cross-platform, or null for either.",
            }),
        [typeof(AddPasskeyRequest)] = new(new { registrationCredential = ExampleRegistration, challengeId = "6f1c2e0a-4a57-4b8e-9d7e-1a2b3c4d5e6f" },
            new(StringComparer.Ordinal)
            {
                ["registrationCredential"] = "The PublicKeyCredential the browser or device created (RegistrationResponseJSON).",
                ["conditionalCreate"] = "True for a registration the browser made automatically, which may come without user verification.",
            }),
        [typeof(AuthenticationOptionsRequest)] = new(new { challengeId = "6f1c2e0a-4a57-4b8e-9d7e-1a2b3c4d5e6f" }, new(StringComparer.Ordinal)
        {
            ["challengeId"] = "Tenant Basic: an id reserved with POST /v1/client/challenge for an action (default: a new sign-in, action signInWithPasskey).",
            ["username"] = "Accepted and ignored: the options list the token's user's passkeys, or none for a sign-in.",
        }),
        [typeof(VerifyPasskeyRequest)] = new(new { authenticationCredential = ExampleAssertion, challengeId = "6f1c2e0a-4a57-4b8e-9d7e-1a2b3c4d5e6f" },
            new(StringComparer.Ordinal)
            {
                ["authenticationCredential"] = "The assertion the browser or device made (AuthenticationResponseJSON); its userHandle is ignored.",
                ["challengeId"] = "The challengeId of the authentication options answered.",
            }),
        [typeof(SecurityKeyRegistrationRequest)] = new(ExampleRegistration, BareCredentialFields),
        [typeof(SecurityKeyAuthenticationRequest)] = new(ExampleAssertion, BareCredentialFields),
        [typeof(BatchEnrolRequest)] = new(new
        {
            authenticators = new[]
            {
                new
                {
                    userId = "user-123", verificationMethod = "PASSKEY", credentialId = ExampleCredentialId,
                    credentialPublicKey = "pQECAyYgASFYIOYBIj4lZ57GR7xtlrLftcDxGPVig2KGYMIDF3_I3q8dIlggnDisaValqCwd95Men-rRLVnDXISuOaaXiOg6ynnfPZrs",
                    name = "Jane's passkey", transports = new[] { "internal" },
                },
            },
        }, new(StringComparer.Ordinal)
        {
            ["authenticators"] = "1 to 1000 items: userId, verificationMethod PASSKEY, credentialId and credentialPublicKey (COSE key) in base64url, name, transports, aaguid.",
        }),
    };

    private static readonly Dictionary<string, JsonNode> ParameterExamples = new(StringComparer.Ordinal)
    {
        ["userId"] = "user-123",
        ["action"] = "signIn",
        ["channel"] = "BIOMETRIC",
        ["tenantId"] = "tenant-a",
        ["username"] = "jane",
        ["limit"] = "100",
        ["token"] = ExampleJwt,
        ["lastEvaluatedUserId"] = "MTc2NDcyODAwMDAwMDp1c2VyLTEyMw.q2Tn1Jf0bW3m9yQx2m8kTg",
    };

    /// <summary>The request types that carry an example, for the test that validates them.</summary>
    public static IEnumerable<(Type Type, JsonNode Example)> Examples() => Bodies.Select(b => (b.Key, ToNode(b.Value.Example)));

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (schema is not OpenApiSchema target || !Bodies.TryGetValue(context.Type, out var body))
        {
            return;
        }
        target.Examples = [ToNode(body.Example)];
        foreach (var (name, property) in (target.Properties ?? new Dictionary<string, IOpenApiSchema>()).ToList())
        {
            if (property.Description is not null ||
                (body.Fields?.GetValueOrDefault(name) ?? Shared.GetValueOrDefault(name)) is not { } description)
            {
                continue;
            }
            if (property is OpenApiSchema field)
            {
                field.Description = description;
            }
            else if (property is OpenApiSchemaReference reference)
            {
                // OpenAPI 3.0 drops what stands beside a $ref: a nested object's description goes on an allOf around it.
                target.Properties![name] = new OpenApiSchema { AllOf = [reference], Description = description };
            }
        }
    }

    public void Apply(IOpenApiParameter parameter, ParameterFilterContext context)
    {
        if (parameter is OpenApiParameter target && target.In == ParameterLocation.Path && ParameterExamples.TryGetValue(target.Name!, out var example))
        {
            target.Example = example.DeepClone();
            target.Description ??= Shared.GetValueOrDefault(target.Name!);
        }
    }

    private static JsonNode ToNode(object example) => JsonSerializer.SerializeToNode(example, JsonDefaults.Options)!;
}
