-- API tokens carry their own permissions and plant scope, always within their owner's grants.
-- full_access (the owner's whole power) is only set when asked for, with a reason.
ALTER TABLE api_token
  ADD COLUMN permissions text[] NOT NULL DEFAULT '{}',
  ADD COLUMN node_ids bigint[],
  ADD COLUMN full_access boolean NOT NULL DEFAULT false,
  ADD COLUMN full_access_reason text;

-- Tokens issued before acted with their owner's full power: they keep it until revoked.
UPDATE api_token SET full_access = true, full_access_reason = 'issued before API tokens had their own permissions';
