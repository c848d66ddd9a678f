import { useRef, useState, type ChangeEvent, type FormEvent } from 'react'
import { api, ApiError } from '../api/client'
import { ROLE_PRESETS, SENIORITIES, type Locale, type ResumeUpload, type RolePreset, type Seniority } from '../api/types'
import { DemoNotice } from '../components/DemoNotice'
import { MediaPreview } from '../components/MediaPreview'
import { Banner, Field, Panel, Toggle } from '../components/ui'
import { useI18n } from '../i18n'
import { describeError } from '../lib/errors'
import { useNavigate } from 'react-router'

const MAX_PDF_BYTES = 5 * 1024 * 1024

export function NewInterviewPage() {
  const { t, locale, formatNumber } = useI18n()
  const navigate = useNavigate()
  const [preset, setPreset] = useState<RolePreset | null>(null)
  const [role, setRole] = useState('')
  const [seniority, setSeniority] = useState<Seniority>('mid')
  const [language, setLanguage] = useState<Locale>(locale)
  const [jobDescription, setJobDescription] = useState('')
  const [resume, setResume] = useState<(ResumeUpload & { name: string }) | null>(null)
  const [uploading, setUploading] = useState(false)
  const [uploadError, setUploadError] = useState<string | null>(null)
  const [numQuestions, setNumQuestions] = useState(5)
  const [consentCamera, setConsentCamera] = useState(false)
  const [consentVoice, setConsentVoice] = useState(true)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  const fileInput = useRef<HTMLInputElement>(null)

  const choosePreset = (next: RolePreset) => {
    const presetLabels = ROLE_PRESETS.map((p) => t(`preset.${p}`))
    // Fill the role with the preset's name unless the candidate already typed their own title.
    if (!role.trim() || presetLabels.includes(role)) setRole(t(`preset.${next}`))
    setPreset(preset === next ? null : next)
  }

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0]
    setUploadError(null)
    if (!file) return
    if (file.size > MAX_PDF_BYTES) {
      setUploadError(t('setup.resumeTooLarge'))
      event.target.value = ''
      return
    }
    if (file.type && file.type !== 'application/pdf' && !file.name.toLowerCase().endsWith('.pdf')) {
      setUploadError(t('setup.resumeNotPdf'))
      event.target.value = ''
      return
    }
    setUploading(true)
    try {
      const result = await api.uploadResume(file)
      setResume({ ...result, name: file.name })
    } catch (err) {
      setUploadError(describeError(t, err, { 413: 'setup.resumeTooLarge', 415: 'setup.resumeNotPdf' }))
      event.target.value = ''
    } finally {
      setUploading(false)
    }
  }

  const clearResume = () => {
    setResume(null)
    if (fileInput.current) fileInput.current.value = ''
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const errors: Record<string, string> = {}
    const trimmed = role.trim()
    if (!trimmed) errors.role = t('setup.roleRequired')
    else if (trimmed.length > 120) errors.role = t('setup.roleTooLong')
    setFieldErrors(errors)
    if (Object.keys(errors).length) return
    setBusy(true)
    setError(null)
    try {
      const interview = await api.createInterview({
        role: trimmed,
        role_preset: preset,
        seniority,
        language,
        job_description: jobDescription.trim() || undefined,
        resume_text: resume?.text || undefined,
        num_questions: numQuestions,
        consent_camera: consentCamera,
        consent_voice: consentVoice,
      })
      navigate(`/interviews/${interview.id}`)
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) setFieldErrors(err.fieldErrors())
      setError(describeError(t, err))
      setBusy(false)
    }
  }

  return (
    <div className="page setup-page">
      <header className="page-header">
        <div>
          <p className="eyebrow">{t('setup.eyebrow')}</p>
          <h1>{t('setup.title')}</h1>
        </div>
      </header>
      <DemoNotice />
      <form onSubmit={submit} noValidate className="setup-grid">
        <Panel aria-labelledby="role-title">
          <h2 id="role-title">{t('setup.roleSection')}</h2>
          <fieldset className="chip-group">
            <legend>{t('setup.presets')}</legend>
            {ROLE_PRESETS.map((p) => (
              <button
                key={p}
                type="button"
                className={`chip-toggle${preset === p ? ' selected' : ''}`}
                aria-pressed={preset === p}
                onClick={() => choosePreset(p)}
              >
                {t(`preset.${p}`)}
              </button>
            ))}
          </fieldset>
          <Field label={t('setup.role')} hint={t('setup.roleHint')} error={fieldErrors.role}>
            {(props) => (
              <input
                {...props}
                name="role"
                maxLength={120}
                required
                value={role}
                onChange={(e) => setRole(e.target.value)}
              />
            )}
          </Field>
          <div className="field-row">
            <Field label={t('setup.seniority')}>
              {(props) => (
                <select {...props} value={seniority} onChange={(e) => setSeniority(e.target.value as Seniority)}>
                  {SENIORITIES.map((s) => (
                    <option key={s} value={s}>
                      {t(`seniority.${s}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('setup.language')}>
              {(props) => (
                <select {...props} value={language} onChange={(e) => setLanguage(e.target.value as Locale)}>
                  <option value="en">English</option>
                  <option value="ko">한국어</option>
                </select>
              )}
            </Field>
            <Field label={t('setup.numQuestions')} error={fieldErrors.num_questions}>
              {(props) => (
                <input
                  {...props}
                  type="number"
                  min={1}
                  max={15}
                  value={numQuestions}
                  onChange={(e) => setNumQuestions(Math.max(1, Math.min(15, Number(e.target.value) || 1)))}
                />
              )}
            </Field>
          </div>
        </Panel>

        <Panel aria-labelledby="context-title">
          <h2 id="context-title">{t('setup.contextSection')}</h2>
          <Field label={t('setup.jobDescription')} hint={t('setup.jobDescriptionHint')} error={fieldErrors.job_description}>
            {(props) => (
              <textarea
                {...props}
                rows={6}
                maxLength={20000}
                value={jobDescription}
                onChange={(e) => setJobDescription(e.target.value)}
              />
            )}
          </Field>
          <Field label={t('setup.resume')} hint={t('setup.resumeHint')} error={uploadError ?? undefined}>
            {(props) => (
              <input
                {...props}
                ref={fileInput}
                type="file"
                accept="application/pdf,.pdf"
                onChange={(e) => void onFile(e)}
                disabled={uploading}
              />
            )}
          </Field>
          <div aria-live="polite">
            {uploading && <p className="muted">{t('setup.resumeUploading')}</p>}
            {resume && (
              <div className="resume-summary">
                <span>
                  {t('setup.resumeReady', {
                    name: resume.name,
                    count: resume.pages,
                    chars: formatNumber(resume.chars),
                  })}
                </span>
                <button type="button" className="btn btn-ghost btn-small" onClick={clearResume}>
                  {t('common.remove')}
                </button>
              </div>
            )}
          </div>
        </Panel>

        <Panel aria-labelledby="privacy-title" className="span-2">
          <h2 id="privacy-title">{t('setup.privacySection')}</h2>
          <div className="consent-grid">
            <div>
              <Toggle
                checked={consentVoice}
                onChange={setConsentVoice}
                label={t('setup.consentVoice')}
                description={t('setup.consentVoiceHint')}
              />
              <Toggle
                checked={consentCamera}
                onChange={setConsentCamera}
                label={t('setup.consentCamera')}
                description={t('setup.consentCameraHint')}
              />
              <p className="privacy-note">{t('setup.privacyNote')}</p>
            </div>
            <MediaPreview video={consentCamera} audio={consentVoice} />
          </div>
        </Panel>

        <div className="form-actions span-2">
          {error && <Banner tone="error">{error}</Banner>}
          <button type="submit" className="btn btn-primary btn-large" disabled={busy || uploading}>
            {busy ? t('common.working') : t('setup.start')}
          </button>
        </div>
      </form>
    </div>
  )
}
