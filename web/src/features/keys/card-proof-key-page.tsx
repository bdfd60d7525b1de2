import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  ProofKeyList,
  ProofKeyVersionState,
} from '../../../../src/shared/api/card-proof-key.js';
import { apiGet, apiSend, withQuery } from '../../api/client.js';
import { ConfirmStep } from '../../components/confirm-step.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';

/** The card-proof key is `distribution.proof_key_read`/`_rotate`, for purpose `distribution`. */
const keyPath = withQuery('/api/distribution/card-proof-key', { purpose: 'distribution' });
const rotationsPath = withQuery('/api/distribution/card-proof-key/rotations', {
  purpose: 'distribution',
});

const badgeOf = { current: 'badge-ok', open: 'badge-pending', closed: 'badge-bad' } as const;

/**
 * The offline card-proof key, for administrators (docs/DISTRIBUTION.md, "Key management and
 * rotation"): each version, when it was made and retired, until when late receipts sealed to it
 * still open, and its state; and a rotation, asked twice, that names the version seen current so
 * that two administrators at once make one. No key material is shown: the server sends none.
 */
export function CardProofKeyPage() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [rotatedTo, setRotatedTo] = useState<number | null>(null);
  const key = useQuery({
    queryKey: ['card-proof-key'],
    queryFn: () => apiGet<ProofKeyList>(keyPath),
  });
  const current = key.data?.versions[0];
  const days = key.data?.openAfterSnapshotsDays ?? 0;
  const rotate = useMutation({
    mutationFn: async (currentVersion: number) =>
      (await apiSend<{ version: number }>('POST', rotationsPath, { currentVersion })).body,
    onSuccess: (answer) => {
      setRotatedTo(answer.version);
      setConfirming(false);
    },
    // Refused or not, the list is reloaded: a conflict means another version is current now.
    onSettled: () => client.invalidateQueries({ queryKey: ['card-proof-key'] }),
  });
  return (
    <section>
      <PageHeading>{t('cardProofKey.title')}</PageHeading>
      <p className="hint">{t('cardProofKey.explain', { days })}</p>
      {key.isPending ? <p aria-live="polite">{t('common.loading')}</p> : null}
      {key.error ? <ProblemNotice error={key.error} /> : null}
      {rotatedTo !== null ? (
        <p className="notice notice-ok" role="status">
          {t('cardProofKey.rotated', { version: rotatedTo })}
        </p>
      ) : null}
      {rotate.error ? <ProblemNotice error={rotate.error} /> : null}
      {current === undefined ? null : confirming ? (
        <ConfirmStep
          question={t('cardProofKey.question', {
            next: current.version + 1,
            current: current.version,
            days,
          })}
          confirmLabel={t('cardProofKey.confirm')}
          pending={rotate.isPending}
          onConfirm={() => rotate.mutate(current.version)}
          onCancel={() => setConfirming(false)}
        />
      ) : (
        <ul className="actions">
          <li>
            <button
              type="button"
              onClick={() => {
                rotate.reset();
                setRotatedTo(null);
                setConfirming(true);
              }}
            >
              {t('cardProofKey.rotate')}
            </button>
          </li>
        </ul>
      )}
      <h2>{t('cardProofKey.versions')}</h2>
      <ul className="plain-list">
        {key.data?.versions.map((version) => (
          <VersionItem key={version.version} version={version} />
        ))}
      </ul>
    </section>
  );
}

function VersionItem({ version }: { version: ProofKeyVersionState }) {
  const { t } = useTranslation();
  const format = useFormat();
  const when = (value: string | null, none: string) =>
    value === null ? none : format.dateTime(value);
  return (
    <li className="panel" data-testid={`proof-key-${version.version}`}>
      <h3>
        {t('cardProofKey.version', { version: version.version })}{' '}
        <span className={`badge ${badgeOf[version.state]}`}>
          {t(`cardProofKey.state.${version.state}`)}
        </span>
      </h3>
      <dl className="attributes">
        <div className="attribute">
          <dt>{t('cardProofKey.created')}</dt>
          <dd>
            {format.dateTime(version.createdAt)} · {t(`cardProofKey.by.${version.createdBy}`)}
          </dd>
        </div>
        <div className="attribute">
          <dt>{t('cardProofKey.retired')}</dt>
          <dd>{when(version.retiredAt, t('cardProofKey.stillPublished'))}</dd>
        </div>
        <div className="attribute">
          <dt>{t('cardProofKey.lastSnapshot')}</dt>
          <dd>{when(version.lastSnapshotExpiresAt, t('cardProofKey.noSnapshot'))}</dd>
        </div>
        <div className="attribute">
          <dt>{t('cardProofKey.openUntil')}</dt>
          <dd>{when(version.openUntil, t('cardProofKey.whileCurrent'))}</dd>
        </div>
      </dl>
    </li>
  );
}
