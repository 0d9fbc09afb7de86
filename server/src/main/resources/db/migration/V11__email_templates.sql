-- Default e-mail templates (contract §2.6). Placeholders, replaced HTML-escaped when a mail is sent:
-- {{ token }} (a 6-digit code), {{ link }} (an http(s) URL), {{ email }}, {{ display_name }}, {{ app_name }}.
-- Admins edit them with PUT /api/auth/email-templates/:type; a re-run never overwrites an edit.

INSERT INTO email.templates (template_type, subject, body_html) VALUES
('email-verification-code', 'Your {{ app_name }} verification code',
 '<p>Hi {{ display_name }},</p><p>Your verification code is:</p><p style="font-size:24px;font-weight:bold;letter-spacing:4px">{{ token }}</p><p>It expires in 15 minutes. If you did not create an account, ignore this e-mail.</p>'),
('email-verification-link', 'Verify your {{ app_name }} e-mail address',
 '<p>Hi {{ display_name }},</p><p>Confirm your e-mail address by opening this link:</p><p><a href="{{ link }}">Verify e-mail</a></p><p>The link expires in 24 hours. If you did not create an account, ignore this e-mail.</p>'),
('request-otp', 'Your {{ app_name }} sign-in code',
 '<p>Hi {{ display_name }},</p><p>Your sign-in code is:</p><p style="font-size:24px;font-weight:bold;letter-spacing:4px">{{ token }}</p><p>It expires in 15 minutes. If you did not try to sign in, ignore this e-mail.</p>'),
('reset-password-code', 'Your {{ app_name }} password reset code',
 '<p>Hi {{ display_name }},</p><p>Your password reset code is:</p><p style="font-size:24px;font-weight:bold;letter-spacing:4px">{{ token }}</p><p>It expires in 15 minutes. If you did not ask to reset your password, ignore this e-mail.</p>'),
('reset-password-link', 'Reset your {{ app_name }} password',
 '<p>Hi {{ display_name }},</p><p>Choose a new password by opening this link:</p><p><a href="{{ link }}">Reset password</a></p><p>The link expires in 24 hours. If you did not ask to reset your password, ignore this e-mail.</p>')
ON CONFLICT (template_type) DO NOTHING;

CREATE OR REPLACE TRIGGER templates_update_timestamp BEFORE UPDATE ON email.templates
    FOR EACH ROW EXECUTE FUNCTION system.update_updated_at();
CREATE OR REPLACE TRIGGER email_config_update_timestamp BEFORE UPDATE ON email.config
    FOR EACH ROW EXECUTE FUNCTION system.update_updated_at();
CREATE OR REPLACE TRIGGER email_otps_update_timestamp BEFORE UPDATE ON auth.email_otps
    FOR EACH ROW EXECUTE FUNCTION system.update_updated_at();
