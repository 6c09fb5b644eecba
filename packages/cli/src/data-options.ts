/** `--data` and `--redis`, shared by the commands that open the server's state. */
export const DATA_OPTIONS = {
  data: { type: 'string' },
  redis: { type: 'string' },
} as const;

export const DATA_USAGE = `  --data DIR             data directory: keys, template key, SQLite file (default $FACEPAY_DATA_DIR or .facepay-data)
  --redis URL            keep sessions, merchants and consumed tokens in Redis (default $FACEPAY_REDIS_URL)`;
