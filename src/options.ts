/**
 * Command-line flags, the same as every Crossplane function SDK's, each with an environment twin so a
 * DeploymentRuntimeConfig can set it: --address, --insecure, --tls-server-certs-dir, --debug, plus the gRPC message
 * limit the SDK lacks.
 */
export interface ServerOptions {
  readonly address: string;
  readonly insecure: boolean;
  readonly tlsServerCertsDir: string;
  readonly debug: boolean;
  /** The largest request accepted; grpc-js's default of 4 MiB is too small for XRs with many observed objects. */
  readonly maxMessageBytes: number;
  /** Read kubelets' volume statistics (disk autogrow) without checking their serving certificates. */
  readonly kubeletInsecureTls: boolean;
}

export const DEFAULT_OPTIONS: ServerOptions = {
  address: '0.0.0.0:9443',
  insecure: false,
  tlsServerCertsDir: '/tls/server',
  debug: false,
  maxMessageBytes: 64 * 1024 * 1024,
  kubeletInsecureTls: false,
};

export const HELP = `function-postgresql: composes PostgreSQL instances for Crossplane.

Flags (environment variable in brackets):
  --address ADDR               where to listen (FUNCTION_ADDRESS) [default ${DEFAULT_OPTIONS.address}]
  --insecure                   serve without TLS, for local development only (FUNCTION_INSECURE=true)
  --tls-server-certs-dir DIR   tls.crt, tls.key and ca.crt; clients must present a certificate signed by ca.crt
                               (TLS_SERVER_CERTS_DIR) [default ${DEFAULT_OPTIONS.tlsServerCertsDir}]
  --max-message-size-mib N     largest request accepted, in MiB (FUNCTION_MAX_MESSAGE_SIZE_MIB) [default 64]
  --kubelet-insecure-tls       disk autogrow: don't check kubelets' serving certificates, for kubelets whose
                               certificates are self-signed (KUBELET_INSECURE_TLS=true)
  -d, --debug                  log every request (FUNCTION_DEBUG=true)
  -h, --help                   this text`;

export class UsageError extends Error {}

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes)$/i.test(v);

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): ServerOptions | 'help' {
  let address = env['FUNCTION_ADDRESS'] ?? DEFAULT_OPTIONS.address;
  let insecure = truthy(env['FUNCTION_INSECURE']);
  let tlsServerCertsDir = env['TLS_SERVER_CERTS_DIR'] ?? DEFAULT_OPTIONS.tlsServerCertsDir;
  let debug = truthy(env['FUNCTION_DEBUG']);
  let mib = env['FUNCTION_MAX_MESSAGE_SIZE_MIB'] ?? '64';
  let kubeletInsecureTls = truthy(env['KUBELET_INSECURE_TLS']);
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--address': address = value(); break;
      case '--insecure': insecure = true; break;
      case '--tls-server-certs-dir': tlsServerCertsDir = value(); break;
      case '--max-message-size-mib': mib = value(); break;
      case '--kubelet-insecure-tls': kubeletInsecureTls = true; break;
      case '-d': case '--debug': debug = true; break;
      case '-h': case '--help': return 'help';
      default: throw new UsageError(`unknown flag ${flag}`);
    }
  }
  if (!/^\d+$/.test(mib) || Number(mib) < 1 || Number(mib) > 1024) {
    throw new UsageError(`--max-message-size-mib must be a whole number from 1 to 1024, not "${mib}"`);
  }
  return { address, insecure, tlsServerCertsDir, debug, maxMessageBytes: Number(mib) * 1024 * 1024, kubeletInsecureTls };
}
