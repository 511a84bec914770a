# Consola web de Rempart, español.

skip-to-content = Ir al contenido
nav-label = Principal
nav-queues = Casos
sign-out = Cerrar sesión

error-status = Error { $count }
error-back = Volver a los casos
error-not-found = No hay nada aquí: la página no existe o no puede verla.
error-forbidden = No puede hacer esto.
error-too-many = Demasiados intentos. Espere un poco y vuelva a intentarlo.
error-internal = Algo falló en el servidor. No se cambió nada; vuelva a intentarlo.
error-refused = Esto fue rechazado.
error-csrf = Este formulario caducó o no viene de Rempart. No se hizo nada: abra la página de nuevo y reenvíelo.
error-required = Escriba algo aquí.
error-too-long = Es demasiado largo.

login-title = Iniciar sesión
login-email = Correo electrónico
login-password = Contraseña
login-code = Código del autenticador
login-code-hint = Los seis dígitos que muestra su aplicación de autenticación, si configuró una.
login-submit = Iniciar sesión
login-code-required = Escriba el código de su aplicación de autenticación.
login-too-many = { $count ->
    [one] Demasiados intentos fallidos. Vuelva a intentarlo en un minuto.
   *[other] Demasiados intentos fallidos. Vuelva a intentarlo en { $count } minutos.
}
login-failed = Correo, contraseña o código incorrectos.

unlock-title = Desbloquear Rempart
unlock-intro = Rempart se inició sellado: su clave maestra está protegida por una frase de contraseña, y nada de lo que contiene puede leerse hasta que una persona responsable o administradora la introduzca. El correo que llega mientras tanto se conserva, cifrado, y se archiva tras el desbloqueo.
unlock-passphrase = Frase de contraseña de la clave maestra
unlock-submit = Desbloquear
unlock-wrong = Frase de contraseña incorrecta.
unlock-too-many = { $count ->
    [one] Demasiadas frases de contraseña incorrectas. Vuelva a intentarlo en un minuto.
   *[other] Demasiadas frases de contraseña incorrectas. Vuelva a intentarlo en { $count } minutos.
}
unlock-not-this-database = Esta frase de contraseña abre una clave maestra, pero no la que selló esta base de datos.
unlock-failed = No se pudo desbloquear el servicio: consulte su registro.

password-title = Cambie su contraseña
password-required = Entró con una contraseña de un solo uso. Elija la suya antes de continuar.
password-current = Contraseña actual
password-new = Nueva contraseña
password-new-hint = Al menos 12 caracteres; una frase que solo usted pensaría es una buena elección.
password-repeat = Nueva contraseña, otra vez
password-submit = Cambiar la contraseña
password-mismatch = Las dos contraseñas nuevas no coinciden.
password-wrong = Esta no es su contraseña actual.
password-weak = Esta contraseña es demasiado fácil de adivinar.

queues-title = Casos
queues-index = Colas
queues-refresh = Actualizar las listas
queue-count = { $count ->
    [one] { $count } caso
   *[other] { $count } casos
}
queue-count-over = más de { $count }
queue-mine = Mis casos abiertos
queue-mine-empty = No tiene ningún caso abierto asignado.
queue-new = Nuevos y sin asignar
queue-new-empty = Ningún caso espera que alguien lo tome.
queue-third = En espera de un tercero
queue-third-empty = Ninguno de sus casos espera a un tercero.
queue-closed = Resueltos o cerrados recientemente
queue-closed-empty = No ha resuelto ni cerrado ningún caso recientemente.

col-reference = Referencia
col-summary = Resumen
col-urgency = Urgencia
col-status = Estado
col-waiting = Esperando desde hace
col-assignee = Asignado a

flag-imminent = Riesgo inminente
flag-restricted = Restringido
flag-reply-held = Respuestas retenidas

duration-days = { $count } d
duration-hours = { $count } h
duration-minutes = { $count } min

status-new = Nuevo
status-open = Abierto
status-waiting-beneficiary = En espera de la persona beneficiaria
status-waiting-third-party = En espera de un tercero
status-resolved = Resuelto
status-closed = Cerrado

move-new = Volver a nuevo
move-open = Abrir
move-waiting-beneficiary = Esperar a la persona beneficiaria
move-waiting-third-party = Esperar a un tercero
move-resolved = Resolver
move-closed = Cerrar

urgency-critical = Crítica
urgency-high = Alta
urgency-medium = Media
urgency-low = Baja

priority-P1 = P1 (la más alta)
priority-P2 = P2
priority-P3 = P3
priority-P4 = P4 (la más baja)

threat-direct = Amenaza directa
threat-indirect = Amenaza indirecta
threat-security-incident = Incidente de seguridad

verification-unverified = No verificada
verification-verified = Verificada
verification-rejected = Rechazada

trust-unconfirmed = no confirmada
trust-confirmed = confirmada

signature-good = Firma válida
signature-bad = Firma inválida
signature-unknown-key = Firmado con una clave desconocida
signature-none = Sin firma

delivery-queued = En cola
delivery-sent = Enviado, cifrado
delivery-failed = No entregado
delivery-needs-key = Retenido: falta una clave

case-title = Caso
case-facts = El caso
case-moves = Mover el caso
case-urgency = Urgencia
case-priority = Prioridad
case-assignee = Asignado a
case-opened = Abierto el
case-threat = Amenaza
value-none = ninguno

beneficiary-title = Persona beneficiaria
beneficiary-name = Nombre
beneficiary-addresses = Direcciones
beneficiary-verification = Verificación
beneficiary-language = Idioma
beneficiary-key = Clave OpenPGP
key-none = Todavía sin clave

fate-encrypted-confirmed = Su respuesta se cifrará con la clave { $key } (confirmada) y la firmará la línea de ayuda.
fate-encrypted-unconfirmed = Su respuesta se cifrará con la clave { $key }, que nadie ha confirmado todavía por otro canal.
fate-held-key-change = Su respuesta quedará retenida: hay un cambio a la clave { $key } pendiente. Acéptelo o rechácelo antes.
fate-held-no-key = Su respuesta quedará retenida: no hay ninguna clave con la que cifrarla. Se pide una a la persona beneficiaria.

thread-title = Mensajes y comentarios
thread-empty = Nada todavía.
thread-kind-comment = Comentario interno
thread-kind-reply = Respuesta
thread-kind-message = Mensaje
thread-third-party = Tercero
thread-encrypted = Cifrado
thread-not-encrypted = Sin cifrar

reply-title = Responder a la persona beneficiaria
reply-label = Su respuesta (enviada por correo)
reply-submit = Enviar la respuesta
comment-title = Comentario interno
comment-hint = Solo el equipo de la línea de ayuda ve los comentarios. No se envía nada a nadie.
comment-label = Su comentario (interno)
comment-submit = Añadir el comentario

stale-status = Otra persona cambió este caso mientras tanto: ahora está «{ $status }».
stale-nothing-done = Su cambio no se hizo. Vuelva a leer el caso y decida.

check-in-title = Inicio del turno
check-in-shift = Su turno: { $from }
check-in-question = ¿Está en condiciones de atender casos en este turno?
check-in-fit = Sí, puedo atender casos
check-in-not-fit = Hoy no: que la persona de guardia reciba mis casos
check-in-note = Una nota para usted (opcional)
check-in-note-hint = Privada: solo usted la leerá. Las personas responsables solo ven si está disponible, nunca por qué.
check-in-submit = Responder
check-in-later = Ahora no: ver mis casos (no recibirá casos nuevos hasta que responda)
check-in-choose = Elija una de las dos respuestas.
check-in-no-shift = No tiene turno ahora: no hay nada que registrar.
check-in-nothing = No tiene ningún turno que empiece o esté en curso.
check-in-history = Sus registros de inicio de turno
check-in-was-fit = disponible
check-in-was-not-fit = no disponible
check-in-pending = No ha respondido a la pregunta de inicio de turno: no recibirá casos nuevos hasta que lo haga.
check-in-answer = Responder ahora
nav-check-in = Inicio de turno

nav-search = Buscar
search-title = Buscar
search-words = Palabras
search-words-hint = Palabras enteras, todas, en el resumen o los mensajes; una referencia (RMP-2026-000123) abre el caso.
search-beneficiary = Nombre o dirección de la persona beneficiaria
search-indicator = Indicador
search-indicator-hint = Un número de teléfono, dirección, matrícula, dominio, enlace o hash de archivo: ¿ya se ha señalado?
search-filters = Filtros
search-submit = Buscar
search-invalid = No se puede leer esta búsqueda
search-matches = Casos en los que se señaló «{ $value }»
search-no-match = No se ha señalado en ningún caso que pueda ver.
search-cases = Casos encontrados
search-no-case = Ningún caso que pueda ver coincide.
filter-any = Cualquiera
filter-assignee-me = Yo
filter-assignee-none = Nadie
filter-yes = Sí
filter-no = No
filter-sort = Orden
filter-sort-oldest = Los más antiguos primero
filter-sort-updated = Actualizados recientemente primero
filter-created-from = Abiertos desde
filter-created-to = Abiertos antes de
col-kind = Tipo
col-value = Valor
indicator-domain = Dominio
indicator-ip = Dirección IP
indicator-cidr = Red IP
indicator-url = Enlace
indicator-email = Correo electrónico
indicator-phone = Número de teléfono
indicator-hash-md5 = Hash MD5
indicator-hash-sha1 = Hash SHA-1
indicator-hash-sha256 = Hash SHA-256
indicator-file-name = Nombre de archivo
indicator-licence-plate = Matrícula
indicator-other = Otro

case-take = Tomar este caso
key-origin = De dónde viene la clave
key-change-pending = Se ofrece una clave nueva:
key-change-advice = Acéptela solo después de comparar su huella con la persona beneficiaria por otro canal (una llamada, en persona). Las respuestas esperan hasta que decida.
key-change-accept = Aceptar la clave nueva
key-change-reject = Rechazarla y conservar la clave actual
key-confirm-how = ¿Cómo verificó esta clave con la persona beneficiaria?
key-confirm-hint = Por ejemplo: huella leída en voz alta en una llamada de Signal, comparada en persona. Confirme solo una huella que usted misma o usted mismo haya comparado.
key-confirm = Confirmar la clave
key-entry = Introducir una clave a mano
key-entry-label = La clave pública de la persona beneficiaria (ASCII-armored)
key-entry-hint = Solo una clave recibida por un canal de confianza; queda fijada como confirmada y sustituye a cualquier otra.
key-entry-submit = Fijar esta clave
key-entry-unreadable = Esta no es una clave pública OpenPGP legible.
key-entry-unusable = Esta clave no puede recibir correo cifrado
indicators-title = Indicadores
indicators-empty = Todavía no hay indicadores.
indicators-note = Nota
indicators-seen-in = Visto también en
indicators-nowhere = en ningún otro sitio
indicators-as-written = escrito «{ $value }»
indicators-add = Añadir el indicador
reply-template = Partir de una plantilla
reply-template-use = Usarla
reply-template-choose = Elegir una plantilla…

nav-new-case = Nuevo caso
new-case-title = Abrir un caso
new-case-intro = Alguien llamó o escribió por otro canal. Su dirección la encuentra si ya se la conoce; si no, se crea con ella una nueva persona beneficiaria.
new-case-email = Su correo electrónico
new-case-email-hint = Las respuestas van allí, cifradas.
new-case-name = Su nombre (para alguien nuevo)
new-case-language-hint = El idioma en que responder, como etiqueta: fr, en, es, pt-BR... (opcional)
new-case-imminent = En riesgo inminente
new-case-restricted = Restringido (solo la persona asignada y las personas responsables lo ven)
new-case-mine = Asignármelo
new-case-conversation = Lo que dijo
new-case-phone = Una llamada
new-case-chat = Un chat (Signal, WhatsApp...)
new-case-conversation-label = Notas de la conversación (opcional)
new-case-submit = Abrir el caso
new-case-bad-email = Esta no es una dirección de correo.
new-case-bad-language = Esta no es una etiqueta de idioma (fr, en, pt-BR...).
new-case-address-taken = Esta dirección pertenece a una persona beneficiaria que no puede ver. Pregunte a una persona responsable.
new-case-name-required = Alguien nuevo necesita un nombre (o un seudónimo).

nav-account = Mi cuenta
account-title = Mi cuenta
account-saved = Guardado.
account-preferences = Idioma y hora
account-language = Idioma de la consola
account-language-browser = El del navegador
language-en = English
language-fr = Français
language-es = Español
account-zone = Las horas se muestran en
account-save = Guardar
account-bad-zone = Elija una zona horaria de la lista.
account-totp = Aplicación de autenticación (segundo factor)
account-totp-on = Activada: al iniciar sesión se pide el código de la aplicación.
account-totp-off = Desactivada: cualquiera con su contraseña puede entrar en su nombre. Configure una aplicación de autenticación.
account-totp-begin = Configurar una aplicación de autenticación
account-totp-scan = Escanee este código con su aplicación de autenticación (por ejemplo Aegis, FreeOTP o Google Authenticator) y escriba los seis dígitos que muestra.
account-totp-qr = Código QR para escanear con la aplicación de autenticación
account-totp-secret = O escriba esta clave en la aplicación:
account-totp-confirm = Activarla
account-totp-wrong = Este no es el código actual de la aplicación (o ya se usó). Pruebe con el siguiente.
account-password = Cambiar mi contraseña
filter-sort-newest = Los más recientes primero

evidence-title = Pruebas
evidence-empty = Todavía no hay archivos.
evidence-file = Archivo
evidence-size = Tamaño
evidence-added = Añadido por
evidence-description = Qué muestra (opcional)
evidence-add = Guardar como prueba
evidence-too-large = { $count ->
    [one] Los archivos están limitados a { $count } MB.
   *[other] Los archivos están limitados a { $count } MB.
}
size-bytes = { $count } B
size-kb = { $count } KB
size-mb = { $size } MB

## El trabajo junto al hilo
error-refused-because = Esto fue rechazado: { $detail }
error-factor = Un número entero del 1 al 10.
error-date = No es una fecha: escríbala como AAAA-MM-DD.
error-no-such-case = Ningún caso que pueda ver tiene esta referencia.
error-link-itself = Un caso no puede vincularse consigo mismo.
error-already-linked = Estos casos ya están vinculados de esta manera.
error-already = Ya es así.
error-choice = Elija una de las opciones ofrecidas.
error-email = Esta no es una dirección de correo.
steps-title = Próximos pasos
steps-empty = Ningún paso previsto.
steps-done = Hecho
steps-undo = No hecho
steps-done-label = Marcar «{ $step }» como hecho
steps-undo-label = Marcar «{ $step }» como no hecho
steps-due = para el { $date }
steps-overdue = Atrasado
steps-is-done = Hecho
steps-new = Un próximo paso
steps-due-label = Fecha límite (opcional)
steps-add = Prever este paso
actions-title = Acciones realizadas
actions-empty = Ninguna acción registrada.
actions-new = Lo que se hizo
actions-add = Registrar esta acción
risks-title = Evaluaciones de riesgo
risks-hint = Puntuación = amenazas × vulnerabilidades ÷ capacidades, cada una del 1 al 10. Vuelva a evaluar un riesgo para seguir su evolución.
risks-empty = Todavía no se ha evaluado ningún riesgo.
risks-chart = Puntuación en cada evaluación, de la más antigua a la más reciente.
risks-history = { $count ->
    [one] { $count } evaluación
   *[other] { $count } evaluaciones
}
risks-name = Riesgo
risk-threats = Amenazas
risk-vulnerabilities = Vulnerabilidades
risk-capacities = Capacidades
risk-score = puntuación { $score }
risks-add = Evaluar este riesgo
parties-title = Terceros
parties-empty = Ningún tercero en este caso.
parties-write = Escribir a { $name } o anotar lo que dijo
parties-direction = El mensaje fue
parties-said-to = dicho o escrito al tercero
parties-heard-from = recibido del tercero
parties-channel = Por
parties-email-hint = Rempart envía el correo que le escriba, firmado por la línea de ayuda y cifrado con su clave; espera mientras no tenga ninguna.
parties-text = El mensaje
parties-record = Registrarlo
parties-add = Añadir un tercero
parties-organisation = Organización
parties-contact = Persona de contacto (opcional)
parties-role = Papel
parties-email = Correo electrónico (opcional)
parties-phone = Teléfono (opcional)
parties-add-submit = Añadir este tercero
role-intermediary = Intermediario
role-platform-escalation = Plataforma (escalada)
role-partner = Socio
role-other = Otro
channel-email = Correo electrónico
channel-phone-note = Llamada telefónica
channel-other = Otro canal
thread-kind-to-party = A { $name }
thread-kind-from-party = De { $name }
links-title = Casos vinculados
links-empty = Ningún caso vinculado.
links-hidden = { $count ->
    [one] { $count } otro caso vinculado que no puede ver.
   *[other] { $count } otros casos vinculados que no puede ver.
}
links-target = Otro caso (referencia)
links-kind = Este caso es
links-add = Vincular los casos
link-related = Relacionado con
link-parent-of = Caso principal de
link-child-of = Parte de
link-duplicate-of = Duplicado de
link-duplicated-by = Duplicado por
decisions-title = Decisiones de asignación
decisions-empty = Ninguna decisión del turno rotatorio para este caso.
decisions-nobody = Nadie
verification-history = Historial de la verificación
verification-change = Cambiar la verificación
verification-to = Nuevo estado
verification-reason = Por qué (se guarda en el historial)
verification-submit = Cambiarla
queue-fresh = Novedades
parties-no-key = Sin clave OpenPGP: los correos para este tercero esperan
parties-key-enter = Introducir su clave OpenPGP
parties-key-label = Su clave pública (ASCII-armored), recibida por un canal de confianza
parties-key-submit = Fijar esta clave
thread-attachments = Adjuntos:
evidence-by-gateway = La pasarela de correo
beneficiary-audience = Público
flag-key-change = Cambio de clave pendiente
flag-bad-signature = Firma inválida en el hilo

# Responsables y administración: navegación
nav-team = Equipo
nav-quarantine = Cuarentena
nav-templates = Plantillas
nav-statistics = Estadísticas
nav-admin = Administración
team-nav-label = Equipo
team-now = Ahora
team-week = La semana
team-workload = Carga de trabajo
alerts-waiting = { $count ->
    [one] { $count } escalamiento espera a una persona responsable.
   *[other] { $count } escalamientos esperan a una persona responsable.
}

# El equipo ahora
team-title = El equipo ahora
escalations-title = Escalamientos abiertos
escalations-none = Ningún escalamiento abierto.
escalation-raised = levantado
escalation-told = Avisados:
escalation-acknowledge = Me encargo yo
escalation-on-it = { $name } se encarga (desde { $time })
escalation-imminent-risk = Riesgo inminente
escalation-unassigned = Nadie pudo tomar este caso
escalation-first-response-leads = Esperando una primera respuesta
escalation-first-response-admins = Sigue sin respuesta: se avisó a la administración
escalation-intake-uncovered = Un turno de recepción no está cubierto: la guardia toma la recepción
notification-queued = pendiente de envío
notification-sent = enviado
notification-failed = falló
notification-withdrawn = retirado (alguien responsable se encarga)
channel-notify-email = Correo
channel-notify-webhook = Webhook
on-call-title = De turno
on-call-none = Nadie está de turno ahora.
team-rotation-intake = Recepción de este periodo, según la rotación: { $name }
team-no-rotation = No hay rotación de recepción definida.
team-next-case = El próximo caso irá a { $name }.
team-next-case-standby = El próximo caso irá a { $name } (guardia).
team-next-case-nobody = Nadie puede tomar un caso nuevo ahora: esperaría, y se alertaría a las personas responsables.
col-person = Persona
col-shift = Turno
col-until = Hasta
col-availability = Disponibilidad
availability-available = Disponible
availability-awaiting = Aún no ha fichado
availability-not-available = No disponible
shift-intake = Recepción
shift-standby = Guardia

# La semana
week-title = La semana
week-heading = Semana del { $date }
week-pager = Semanas
week-previous = Semana anterior
week-this = Esta semana
week-next = Semana siguiente
week-shifts = Turnos
week-zone = Horas en su zona horaria ({ $zone }).
week-check-in-completion = Inicios de turno del equipo esta semana: { $percent } % de los turnos empezados.
week-plan = Planificar un turno
week-plan-submit = Planificar el turno
shift-day = Día
shift-from = Desde
shift-to = Hasta
shift-to-hint = Un final a la misma hora o antes del inicio es al día siguiente.
rotation-title = Rotación de la recepción
rotation-none = Aún no hay rotación: los casos nuevos van a quien tenga un turno de recepción.
week-rotation-from = Desde el { $date }: { $order }, por turnos.
week-rotation-holder = Recepción esta semana, según la rotación: { $name }.
rotation-anchor-later = Una rotación desde una fecha posterior queda planificada: la vigente sigue hasta entonces.
rotation-period = Cada persona toma la recepción durante
rotation-weekly = una semana
rotation-daily = un día
rotation-anchor = Primer día de la rotación
rotation-anchor-hint = Para una rotación semanal, un lunes.
rotation-order = Orden
rotation-order-hint = Dé un lugar (1, 2, 3…) a cada persona de la rotación; déjelo vacío para dejar a alguien fuera.
rotation-save = Guardar la rotación
shift-title = Un turno
shift-heading = Turno de { $name }
shift-back = Volver a la semana
shift-change = Cambiarlo
shift-save = Guardar el turno
shift-cancel-title = Anularlo
shift-cancel = Anular este turno
error-time = No es una hora: escríbala HH:MM.
error-time-skipped = Esta hora no existe ese día (cambio al horario de verano).
error-shift-length = Un turno dura como mucho { $hours } horas y termina después de empezar.
error-shift-checked-in = Alguien fichó en este turno: ya es historia. Acórtelo en su lugar.
error-place = Un lugar es un número entero del 1 al 999.
error-rotation-empty = Dé un lugar al menos a una persona.

# Carga de trabajo
workload-title = Carga de trabajo
workload-weeks = Semanas mostradas
workload-show = Mostrar
workload-team = El equipo
workload-open = Casos abiertos
workload-unassigned = Casos abiertos sin nadie
workload-overdue = Primeras respuestas atrasadas
workload-load-spread = Carga: máximo sobre media
workload-load-gini = Carga: Gini
workload-check-ins = Inicios de turno esta semana
workload-targets = Objetivo de la política: un Gini de como mucho { $gini }, y nadie por encima de { $spread } veces la media.
workload-load = Carga frente a capacidad
workload-load-caption = Cada barra es la carga ponderada de una persona; la marca es su capacidad. En rojo: por encima de su capacidad.
workload-received = Casos recibidos por persona y semana
workload-received-caption = Una columna por semana, un color por persona.
workload-balance = Equilibrio a lo largo de las semanas
workload-gini = Gini
workload-max-over-mean = Máximo sobre media
workload-gini-caption = Gini de los casos recibidos cada semana; la línea discontinua es el objetivo.
workload-spread-caption = Parte más alta sobre la media cada semana; la línea discontinua es el objetivo.
workload-target = objetivo { $value }
workload-overdue-caption = Casos nuevos pasado el plazo de primera respuesta, por persona.
col-load = Carga
col-capacity = Capacidad
col-load-percent = De la capacidad
col-this-week = Esta semana
col-this-month = Este mes
col-week = Semana
col-total = Total

# Reequilibrar y reasignar
rebalance-title = Reequilibrar la carga
rebalance-hint = La rotación propone mover casos de las personas más cargadas a las menos cargadas, de turno y con el inicio de turno hecho, dentro de su capacidad, habilitación e idiomas. Los verá antes de que nada se mueva.
rebalance-max = Como mucho
rebalance-preview = Proponer movimientos
rebalance-back = Volver a la carga de trabajo
rebalance-proposal = Movimientos propuestos
rebalance-nothing = La carga está tan equilibrada como la rotación permite: nada que mover.
rebalance-summary = Gini de la carga sobre la capacidad: { $before } ahora, { $after } tras estos movimientos.
rebalance-move = { $reference }: { $from } → { $to }, porque { $from } está al { $from_load } de su capacidad y { $to } al { $to_load }.
rebalance-apply = { $count ->
    [one] Aplicar este movimiento
   *[other] Aplicar estos { $count } movimientos
}
rebalance-moved = { $count ->
    [one] { $count } caso movido
   *[other] { $count } casos movidos
}
rebalance-left = Estos casos cambiaron de manos desde la propuesta y se quedaron como estaban:
reassign-link = Dar un caso a alguien a mano
reassign-title = Dar un caso a alguien
reassign-case = Referencia del caso
reassign-to = A
reassign-reason = Por qué
reassign-override = Pasar por encima de la rotación (su motivo)
reassign-override-hint = Solo si la rotación rechaza a esta persona ahora; su motivo queda registrado con la asignación.
reassign-submit = Dar el caso
reassign-refused = La rotación dice que ahora no: { $why }. Dé su motivo para pasar por encima, o elija a otra persona.
why-not-fit = no disponible en este turno
why-not-checked-in = aún no ha fichado
why-off-shift = fuera de turno
why-at-capacity = al máximo de su capacidad
why-not-cleared = sin habilitación para casos restringidos
why-critical-cap = ya recibió el máximo de casos críticos permitidos esta semana

# La cuarentena del correo
quarantine-title = Cuarentena del correo
quarantine-hint = Los mensajes que la pasarela de correo no pudo leer, guardados tal como llegaron. Guarde uno con un caso, abra un caso a partir de él, o descártelo con un motivo.
quarantine-show-all = Mostrar también los ya tratados
quarantine-show-open = Mostrar solo los pendientes
quarantine-empty = Ningún mensaje espera en la cuarentena.
quarantine-from = De { $from }
quarantine-size-bytes = { $bytes } bytes
quarantine-size = { $kib } KiB
quarantine-download = Descargar el mensaje tal como llegó
quarantine-attach = Guardarlo con un caso
quarantine-attach-submit = Adjuntar
quarantine-open = Abrir un caso a partir de él
quarantine-open-summary = Resumen
quarantine-open-name = Nombre de la persona
quarantine-open-email = Su dirección de correo
quarantine-open-submit = Abrir el caso
quarantine-discard = Descartarlo
quarantine-discard-reason = Por qué
quarantine-discard-submit = Descartar
quarantine-discarded = Descartado: { $reason }
quarantine-outcome-attached = Guardado con
quarantine-outcome-opened = Se abrió un caso a partir de él:
quarantine-outcome-resolved = Marcado como tratado.
quarantine-reason-malformed = Mensaje ilegible
quarantine-reason-undecryptable = No se pudo descifrar
quarantine-reason-too-large = Demasiado grande
quarantine-reason-no-usable-key = Ninguna clave utilizable
quarantine-reason-helpline-key = No se pudo usar la clave de la línea de ayuda
quarantine-reason-pgp = Error de OpenPGP
quarantine-reason-store = No se pudo guardar

# Plantillas de respuesta
templates-title = Plantillas de respuesta
templates-hint = Quienes atienden los casos parten de estas plantillas, en el idioma de la persona beneficiaria. Una plantilla retirada ya no se ofrece.
templates-language = Idioma: { $language }
templates-retired = retirada
templates-new = Una plantilla nueva
templates-edit = Cambiar «{ $name }»
templates-language-field = Idioma
templates-language-hint = Una etiqueta de idioma: en, fr, es, pt-BR…
templates-name = Nombre
templates-body = Texto
templates-body-hint = {"{"}beneficiary{"}"}, {"{"}reference{"}"} y {"{"}handler{"}"} se rellenan en cada respuesta.
templates-offered = Ofrecida a quienes atienden los casos
templates-save = Guardar la plantilla
templates-cancel = Cancelar
templates-name-taken = Una plantilla de este idioma ya tiene este nombre.
error-language = No es una etiqueta de idioma (como en, fr o pt-BR).

# Estadísticas
statistics-title = Estadísticas
statistics-hint = Recuentos anonimizados de casos para los informes a donantes: ningún nombre, ningún texto, y ninguna celda con menos casos que el mínimo.
statistics-from = Desde
statistics-to = Hasta
statistics-min-cell = Celda más pequeña
statistics-csv = Descargar en CSV
statistics-by-month = Casos por mes y urgencia
statistics-total = { $count } casos en las celdas mostradas.
statistics-suppressed = { $count } celdas de menos de { $min } casos están suprimidas: no se muestran ni sus casos ni sus categorías.
statistics-chart-caption = Una columna por mes, un color por urgencia.
statistics-month = Mes
statistics-by-service = Por servicio
statistics-by-audience = Por público
statistics-service = Servicio
statistics-audience = Público
statistics-threat = Amenaza
statistics-urgency = Urgencia
statistics-cases = Casos
statistics-cells = Todas las celdas mostradas
statistics-first-response = Primera respuesta (mediana)
statistics-resolution = Resolución (mediana)
statistics-minutes = { $minutes } min
statistics-hours = { $hours } h
statistics-withheld = suprimido
statistics-unspecified = sin especificar
statistics-bad-period = Los meses se escriben AAAA-MM, y el final no es anterior al inicio. Se muestran los últimos doce meses.
account-totp-reset = Alguien de la administración restableció su aplicación de autenticación. Configure una nueva aquí abajo para continuar: nada más se abre hasta entonces.

# Administración
admin-title = Administración
admin-nav-label = Administración
admin-users = Cuentas
admin-taxonomies = Taxonomías
admin-key = La clave de la línea de ayuda
admin-config = Configuración
role-staff-handler = Atención de casos
role-staff-lead = Responsable
role-staff-analyst = Analista
role-staff-admin = Administración
admin-email = Dirección de correo
admin-role = Rol
admin-languages = Idiomas
admin-languages-hint = Los idiomas que lee, del preferido al menos preferido: es, en, fr…
admin-zone = Zona horaria
admin-second-factor = Segundo factor
admin-totp-on = Aplicación de autenticación activada
admin-totp-off = Solo contraseña
admin-totp-must-enrol = Restablecido: debe configurar una nueva aplicación
admin-state = Estado
admin-active = Activa
admin-disabled = Desactivada
admin-new-user = Una cuenta nueva
admin-create = Crear la cuenta
admin-created = Cuenta creada para { $name }
admin-one-time = Entréguele esta contraseña de un solo uso por un canal seguro. Se muestra una sola vez; la persona elige la suya al entrar por primera vez.
admin-email-taken = Una cuenta ya tiene esta dirección.
admin-settings = Ajustes
admin-capacity-hint = La carga ponderada que puede llevar (crítica 4, alta 3, media 2, baja 1).
admin-capacity-range = Un número entero del 0 al 200.
admin-cleared = Habilitada para casos restringidos
admin-active-field = Activa
admin-active-hint = Desmarque para desactivar la cuenta: todas sus sesiones y tokens terminan en el acto.
admin-not-yourself = No puede desactivarse ni rebajarse a sí misma.
admin-save = Guardar
admin-saved = Guardado.
admin-totp-reset-hint = Si perdió su aplicación de autenticación: sus sesiones terminan, y al volver a entrar debe configurar una nueva antes de nada. El restablecimiento queda en el registro de auditoría.
admin-totp-reset = Restablecer su aplicación de autenticación
admin-totp-was-reset = Su aplicación de autenticación fue restablecida: configurará una nueva al volver a entrar.
admin-taxonomies-hint = Cada entrada tiene una etiqueta en cada idioma de la consola; una etiqueta francesa o española vacía muestra la inglesa. Una entrada retirada ya no se ofrece; los casos pasados la conservan.
admin-taxonomy-audience = Tipos de público
admin-taxonomy-service = Tipos de servicio
admin-offered = Ofrecida
admin-taxonomy-add = Añadir una entrada
admin-code = Código
admin-code-format = Minúsculas, cifras y guiones bajos: journalist, data_leak.
admin-code-taken = Este código ya está en la taxonomía.
admin-label-en = Etiqueta en inglés
admin-add = Añadir
admin-key-fingerprint = Su huella, para leerla en voz alta a una persona beneficiaria que verifica la clave:
admin-key-download = Descargar la clave pública para publicarla
admin-key-wkd = Web Key Directory
admin-key-wkd-hint = Los programas de correo encuentran la clave en estas direcciones de este servidor (publíquelas bajo el dominio de correo de la línea de ayuda).
admin-key-armored = La clave pública, en ASCII
admin-key-none = Aún no hay clave: ejecute `rempart keys init --uid "Helpline <help@example.org>"` en el servidor.
admin-backup = Copias de seguridad
admin-backup-none = Las copias solo se cifran para la clave de la línea de ayuda, que está en este servidor: indique en backup.recipients claves guardadas fuera de línea por las personas que pueden restaurar.
admin-backup-some = Cada copia se cifra también para estas claves:
admin-config-hint = La configuración con la que funciona serve: cada clave, su valor y su origen. Los secretos nunca se muestran. Cámbielos en el archivo de configuración o el entorno, y reinicie.
admin-config-key = Clave
admin-config-value = Valor
admin-config-origin = Origen
admin-key-rotation-title = Renovación
admin-key-previous = Claves anteriores, conservadas para descifrar el correo enviado a ellas:
admin-key-rotation-how = Para renovar la clave, ejecute `rempart keys rotate` en el servidor (una clave nueva firma y se anuncia; las actuales siguen para descifrar el correo anterior), reinicie el servicio y publique la nueva clave pública. Las claves secretas nunca pasan por el navegador.
