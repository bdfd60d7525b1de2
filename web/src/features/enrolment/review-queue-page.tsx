import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { apiGet, apiSend, withQuery } from '../../api/client.js';
import type { DuplicateCandidate, DuplicateReview, PersonRecord } from '../../api/types.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { divisionName } from '../../geography/divisions.js';
import { useFormat } from '../../i18n/format.js';
import { CandidatesComparison } from './candidates-comparison.js';
import { ClusterReviews } from './cluster-reviews.js';

/**
 * The duplicate review queue for registry supervisors: each held enrolment beside its
 * candidates, decided as a new person or merged into one candidate. Reading the candidates is
 * an access for purpose `enrolment`, audited like any other.
 */
export function ReviewQueuePage() {
  const { t } = useTranslation();
  const reviews = useQuery({
    queryKey: ['duplicate-reviews'],
    queryFn: () =>
      apiGet<{ items: DuplicateReview[]; nextCursor: string | null }>(
        withQuery('/api/duplicate-reviews', { purpose: 'enrolment' }),
      ),
  });
  return (
    <section>
      <PageHeading>{t('reviews.title')}</PageHeading>
      <p className="hint">{t('reviews.explain')}</p>
      {reviews.isPending ? <p aria-live="polite">{t('common.loading')}</p> : null}
      {reviews.error ? <ProblemNotice error={reviews.error} /> : null}
      {reviews.data?.items.length === 0 ? <p>{t('reviews.empty')}</p> : null}
      {reviews.data?.items.map((review) => (
        <ReviewItem key={review.id} review={review} />
      ))}
      <ClusterReviews />
    </section>
  );
}

function ReviewItem({ review }: { review: DuplicateReview }) {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const candidates = useQueries({
    queries: review.candidates.map((candidate) => ({
      queryKey: ['person', candidate.personId, 'enrolment'],
      queryFn: () =>
        apiGet<PersonRecord>(
          withQuery(`/api/persons/${candidate.personId}`, { purpose: 'enrolment' }),
        ),
    })),
  });
  const decide = useMutation({
    mutationFn: (body: { decision: 'new' } | { decision: 'merge'; survivorId: string }) =>
      apiSend(
        'POST',
        withQuery(`/api/duplicate-reviews/${review.id}/decision`, { purpose: 'enrolment' }),
        body,
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ['duplicate-reviews'] }),
  });
  const shown: DuplicateCandidate[] = review.candidates.map((candidate, index) => {
    const record = candidates[index]?.data;
    return record ? { ...candidate, uin: record.uin, attributes: record.attributes } : candidate;
  });
  const headingId = `review-${review.id}`;
  return (
    <article className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>
        {t(`reviews.kind.${review.kind}`)} · {divisionName(review.regionCode)} ·{' '}
        {format.dateTime(review.openedAt)}
      </h2>
      <p>
        {t('receipt.reference')}: <strong className="mono">{review.reference}</strong>
      </p>
      <CandidatesComparison entered={review.heldAttributes ?? {}} candidates={shown} />
      <div className="actions">
        <button
          type="button"
          disabled={decide.isPending}
          onClick={() => decide.mutate({ decision: 'new' })}
        >
          {t('reviews.acceptNew')}
        </button>
        {shown.map((candidate, index) => (
          <button
            type="button"
            className="button-secondary"
            key={candidate.personId}
            disabled={decide.isPending}
            onClick={() => decide.mutate({ decision: 'merge', survivorId: candidate.personId })}
          >
            {t('reviews.merge', { number: index + 1 })}
          </button>
        ))}
      </div>
      {decide.error ? <ProblemNotice error={decide.error} /> : null}
    </article>
  );
}
