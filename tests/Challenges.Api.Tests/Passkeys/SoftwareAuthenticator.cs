using System.Buffers.Binary;
using System.Buffers.Text;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Challenges.Api.Tests.Passkeys;

/// <summary>How an SDK puts a credential on the wire (docs/contract.md, passkeys: encodings).</summary>
public enum WireEncoding
{
    /// <summary>@authsignal/browser: SimpleWebAuthn JSON, every binary value base64url.</summary>
    Web,

    /// <summary>iOS: clientDataJSON in standard base64 with padding, userHandle the user.id text verbatim, attachment always cross-platform.</summary>
    Ios,

    /// <summary>Android: Credential Manager JSON re-serialised, no authenticatorAttachment, the app's apk-key-hash origin.</summary>
    Android,
}

/// <summary>
/// A WebAuthn authenticator in test code, over .NET's ECDsa (P-256, ES256) or RSA (2048, RS256): it makes the
/// attestation objects (format none) and assertions a platform would, byte for byte, so that every relying-party check
/// can be met or broken on purpose: origin, RP ID, flags, counter, signature.
/// </summary>
public sealed class SoftwareAuthenticator : IDisposable
{
    private const byte UserPresent = 0x01;
    private const byte UserVerified = 0x04;
    private const byte AttestedCredentialData = 0x40;

    private readonly ECDsa? _ec;
    private readonly RSA? _rsa;

    private SoftwareAuthenticator(ECDsa? ec, RSA? rsa)
    {
        _ec = ec;
        _rsa = rsa;
    }

    public static SoftwareAuthenticator Ec() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256), null);

    public static SoftwareAuthenticator Rsa() => new(null, RSA.Create(2048));

    /// <summary>Random; settable to play an attacker who claims someone else's credential id.</summary>
    public byte[] CredentialId { get; set; } = RandomNumberGenerator.GetBytes(20);

    public string CredentialIdText => Base64Url.EncodeToString(CredentialId);

    /// <summary>The signature counter; the next assertion reports it plus one (unless <see cref="Counts"/> is off).</summary>
    public uint Counter { get; set; }

    /// <summary>False: the counter stays 0, as many platform passkeys do.</summary>
    public bool Counts { get; set; } = true;

    /// <summary>False: the UV flag is not set (a key without PIN or biometrics).</summary>
    public bool VerifiesUser { get; set; } = true;

    /// <summary>The COSE public key.</summary>
    public byte[] CoseKey()
    {
        if (_ec is not null)
        {
            var p = _ec.ExportParameters(false);
            return CoseMap((1, 2), (3, -7), (-1, 1), (-2, p.Q.X!), (-3, p.Q.Y!));
        }
        var r = _rsa!.ExportParameters(false);
        return CoseMap((1, 3), (3, -257), (-1, r.Modulus!), (-2, r.Exponent!));
    }

    /// <summary>A COSE key: integer labels, integer or byte-string values, in canonical CBOR.</summary>
    private static byte[] CoseMap(params (int Label, object Value)[] entries)
    {
        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(entries.Length);
        foreach (var (label, value) in entries)
        {
            writer.WriteInt32(label);
            if (value is byte[] bytes)
            {
                writer.WriteByteString(bytes);
            }
            else
            {
                writer.WriteInt32((int)value);
            }
        }
        writer.WriteEndMap();
        return writer.Encode();
    }

    private static byte[] ClientData(string type, string challenge, string origin) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["type"] = type, ["challenge"] = challenge, ["origin"] = origin, ["crossOrigin"] = false });

    private byte Flags(bool attested) => (byte)(UserPresent | (VerifiesUser ? UserVerified : 0) | (attested ? AttestedCredentialData : 0));

    private static string ClientDataText(byte[] clientData, WireEncoding encoding) =>
        encoding == WireEncoding.Ios ? Convert.ToBase64String(clientData) : Base64Url.EncodeToString(clientData);

    /// <summary>A registration response to creation options with <paramref name="challenge"/> (base64url), as <paramref name="encoding"/> sends it.</summary>
    public Dictionary<string, object?> Register(string challenge, string origin, string rpId, WireEncoding encoding = WireEncoding.Web)
    {
        var authData = new List<byte>();
        authData.AddRange(SHA256.HashData(Encoding.UTF8.GetBytes(rpId)));
        authData.Add(Flags(attested: true));
        authData.AddRange(BigEndian(Counts ? Counter : 0));
        authData.AddRange(new byte[16]);
        authData.Add((byte)(CredentialId.Length >> 8));
        authData.Add((byte)CredentialId.Length);
        authData.AddRange(CredentialId);
        authData.AddRange(CoseKey());
        var attestation = new CborWriter(CborConformanceMode.Ctap2Canonical);
        attestation.WriteStartMap(3);
        attestation.WriteTextString("fmt");
        attestation.WriteTextString("none");
        attestation.WriteTextString("attStmt");
        attestation.WriteStartMap(0);
        attestation.WriteEndMap();
        attestation.WriteTextString("authData");
        attestation.WriteByteString([.. authData]);
        attestation.WriteEndMap();
        var response = new Dictionary<string, object?>
        {
            ["clientDataJSON"] = ClientDataText(ClientData("webauthn.create", challenge, origin), encoding),
            ["attestationObject"] = Base64Url.EncodeToString(attestation.Encode()),
            ["transports"] = new[] { "internal", "hybrid" },
        };
        return Credential(response, encoding);
    }

    /// <summary>An assertion for <paramref name="challenge"/>, counting one more use.</summary>
    public Dictionary<string, object?> Assert(string challenge, string origin, string rpId, WireEncoding encoding = WireEncoding.Web, string userHandle = "")
    {
        if (Counts)
        {
            Counter++;
        }
        byte[] authData = [.. SHA256.HashData(Encoding.UTF8.GetBytes(rpId)), Flags(attested: false), .. BigEndian(Counts ? Counter : 0)];
        var clientData = ClientData("webauthn.get", challenge, origin);
        byte[] signed = [.. authData, .. SHA256.HashData(clientData)];
        var signature = _ec is not null
            ? _ec.SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)
            : _rsa!.SignData(signed, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var response = new Dictionary<string, object?>
        {
            ["clientDataJSON"] = ClientDataText(clientData, encoding),
            ["authenticatorData"] = Base64Url.EncodeToString(authData),
            ["signature"] = Base64Url.EncodeToString(signature),
            // Never trusted by the server: iOS sends the user.id text itself, browsers its base64url.
            ["userHandle"] = encoding == WireEncoding.Ios ? userHandle : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(userHandle)),
        };
        return Credential(response, encoding);
    }

    private Dictionary<string, object?> Credential(Dictionary<string, object?> response, WireEncoding encoding)
    {
        var credential = new Dictionary<string, object?>
        {
            ["id"] = CredentialIdText,
            // iOS and Android have sent padded standard base64 ids too: either alphabet is accepted.
            ["rawId"] = encoding == WireEncoding.Web ? CredentialIdText : Convert.ToBase64String(CredentialId),
            ["type"] = "public-key",
            ["response"] = response,
        };
        if (encoding != WireEncoding.Android)
        {
            credential["authenticatorAttachment"] = encoding == WireEncoding.Ios ? "cross-platform" : "platform";
            credential["clientExtensionResults"] = new Dictionary<string, object>();
        }
        return credential;
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    public void Dispose()
    {
        _ec?.Dispose();
        _rsa?.Dispose();
    }
}
